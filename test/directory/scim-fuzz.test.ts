// Property-based fuzzing of the SCIM parsers: whatever a client sends, each call returns a
// well-typed result or throws a ScimError with status 400, never another exception, never a hang,
// never a change to its input or to Object.prototype. Seeded, so that a failure reproduces:
// SCIM_FUZZ_SEED=<seed> SCIM_FUZZ_RUNS=<runs> node --import tsx --test test/directory/scim-fuzz.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScimError, type ScimType } from '../../src/directory/scim/errors.js';
import { parseFilter, type CompareOp, type Filter } from '../../src/directory/scim/filter.js';
import { applyUserPatch, groupPatchChanges, parsePatch, type PatchOp } from '../../src/directory/scim/patch.js';
import { groupFromScim, userFromScim, type ScimUserFields } from '../../src/directory/scim/resources.js';

const SEED = Number(process.env.SCIM_FUZZ_SEED ?? 7643_7644);
const RUNS = Math.max(1, Number(process.env.SCIM_FUZZ_RUNS ?? 2000));
console.log(`scim fuzz: seed ${SEED}, ${RUNS} runs per property`);
const params = { seed: SEED, numRuns: RUNS };

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_TYPES: ReadonlySet<ScimType> = new Set([
  'invalidFilter', 'invalidValue', 'invalidSyntax', 'mutability', 'noTarget', 'uniqueness', 'invalidPath', 'tooMany',
]);

/** The call's result, or undefined when it threw a ScimError 400; anything else fails the property. */
function outcome<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ScimError)) throw new Error(`not a ScimError: ${String(err)}`, { cause: err });
    assert.equal(err.status, 400);
    assert.ok(err.scimType !== null && SCIM_TYPES.has(err.scimType), String(err.scimType));
    assert.ok(err.message.length > 0 && err.message.length < 1000, 'a short detail');
    return undefined;
  }
}

// --- what a well-typed result looks like ------------------------------------------------------------

const FILTER_ATTRIBUTES = {
  User: new Set(['id', 'userName', 'externalId', 'emails.value', 'displayName', 'active', 'meta.lastModified', 'name.givenName', 'name.familyName']),
  Group: new Set(['id', 'displayName', 'externalId', 'members.value', 'meta.lastModified']),
};
const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

function checkFilter(f: Filter, attributes: ReadonlySet<string> | null): void {
  switch (f.kind) {
    case 'and':
    case 'or':
      checkFilter(f.left, attributes);
      checkFilter(f.right, attributes);
      return;
    case 'not':
      checkFilter(f.filter, attributes);
      return;
    case 'present':
      assert.ok(attributes === null ? typeof f.attribute === 'string' : attributes.has(f.attribute), f.attribute);
      return;
    case 'compare':
      assert.ok(attributes === null ? typeof f.attribute === 'string' : attributes.has(f.attribute), f.attribute);
      assert.ok(COMPARE_OPS.has(f.op));
      assert.ok(f.value === null || ['string', 'number', 'boolean'].includes(typeof f.value));
      if (typeof f.value === 'number') assert.ok(Number.isFinite(f.value));
      if (f.attribute === 'active') assert.ok(typeof f.value === 'boolean' || f.value === null);
      return;
    default:
      assert.fail(`unknown filter kind ${JSON.stringify(f)}`);
  }
}

function checkOps(ops: PatchOp[]): void {
  assert.ok(Array.isArray(ops) && ops.length >= 1 && ops.length <= 1000);
  for (const op of ops) {
    assert.ok(['add', 'replace', 'remove'].includes(op.op));
    if (op.path === null) {
      assert.ok(typeof op.value === 'object' && op.value !== null && !Array.isArray(op.value));
      continue;
    }
    assert.equal(typeof op.path.attribute, 'string');
    assert.ok(op.path.subAttribute === null || typeof op.path.subAttribute === 'string');
    if (op.path.filter !== null) checkFilter(op.path.filter, null);
  }
}

const isText = (v: unknown, nullable = true) =>
  (nullable && v === null) || (typeof v === 'string' && v.length > 0 && v.length <= 1024 && !v.includes('\u0000'));

function checkUser(u: ScimUserFields): void {
  assert.ok(isText(u.userName, false));
  for (const v of [u.externalId, u.displayName, u.givenName, u.familyName, u.formatted]) assert.ok(isText(v));
  assert.equal(typeof u.active, 'boolean');
  assert.ok(u.emails.length <= 100);
  for (const e of u.emails) {
    assert.ok(isText(e.value, false) && isText(e.type) && typeof e.primary === 'boolean');
  }
  assert.ok(u.emails.filter((e) => e.primary).length <= 1);
  assert.equal(Object.getPrototypeOf(u.extra), null);
  for (const key of ['__proto__', 'constructor', 'prototype']) assert.equal(Object.hasOwn(u.extra, key), false);
  assert.ok(JSON.stringify(u.extra).length < 2_000_000);
}

const isId = (v: unknown) => isText(v, false);

function checkGroupChanges(c: ReturnType<typeof groupPatchChanges>): void {
  assert.ok(c.add.every(isId) && c.remove.every(isId));
  assert.ok(c.replaceMembers === null || c.replaceMembers.every(isId));
  if (c.replaceMembers !== null) assert.deepEqual([c.add, c.remove], [[], []]);
  assert.ok(c.displayName === undefined || isId(c.displayName));
  assert.ok(c.externalId === undefined || isText(c.externalId));
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const item of Object.values(v)) deepFreeze(item);
  }
  return v;
}

// --- generators -------------------------------------------------------------------------------------

/** Values that have broken parsers before: deep nesting, huge strings, odd unicode, prototype keys. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\ud800', '\udfff\ud800', '\u202e', '\ufeff', 'ß', 'İ', '🧑‍💻', '\\', '"', ']', '[', '.', ':', 'True', 'FALSE'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { value: v };
  return v;
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 4 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 3000 }).map(nested), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => ({ value: `m${i}` }))), weight: 1 },
  { arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"value":"x"}')), weight: 1 },
  { arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), weight: 1 },
);

const VALID_FILTERS = [
  'userName eq "ann@example.com"',
  'externalId eq "0a1b-2c3d"',
  'userName eq "x" and active eq true',
  'emails[type eq "work"].value eq "a@b.c"',
  'not (name.givenName sw "A") or (meta.lastModified gt "2024-01-01T00:00:00Z")',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName pr',
  'displayName eq "Group"',
  'members[value eq "u1" or value eq "u2"]',
];

/** A valid filter, then a hostile edit: insert, delete, repeat, wrap, blow up a string, change case. */
const mutatedFilter = fc.oneof(
  fc.tuple(fc.constantFrom(...VALID_FILTERS), fc.nat(), hostileString).map(([f, at, s]) => f.slice(0, at % (f.length + 1)) + s + f.slice(at % (f.length + 1))),
  fc.tuple(fc.constantFrom(...VALID_FILTERS), fc.nat(), fc.nat({ max: 20 })).map(([f, at, n]) => f.slice(0, at % f.length) + f.slice((at % f.length) + n)),
  fc.tuple(fc.constantFrom(...VALID_FILTERS), fc.integer({ min: 0, max: 60 }), fc.constantFrom('(', 'not (', 'not(')).map(([f, n, open]) => `${open.repeat(n)}${f}${')'.repeat(n)}`),
  fc.tuple(fc.constantFrom(...VALID_FILTERS), fc.integer({ min: 1, max: 700 })).map(([f, n]) => Array.from({ length: n }, () => `(${f})`).join(' or ')),
  fc.tuple(fc.constantFrom(...VALID_FILTERS), fc.integer({ min: 3000, max: 6000 })).map(([f, n]) => f.replace(/"[^"]*"/, `"${'é'.repeat(n)}"`)),
  fc.mixedCase(fc.constantFrom(...VALID_FILTERS)),
);

const TOKENS = [
  'userName', 'USERNAME', 'emails', 'members', 'value', 'type', 'active', 'meta.lastModified', 'name.givenName', 'id',
  'urn:ietf:params:scim:schemas:core:2.0:User:', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
  'eq', 'ne', 'co', 'pr', 'gt', 'le', 'and', 'or', 'not', 'AND', '(', ')', '[', ']', '.value', '.', '"x"', '"', '\\"', '"\\u0041"',
  '"\\ud800"', 'true', 'False', 'null', '1.5', '-0', '1e999', '__proto__', 'constructor', '\u0000', '\t',
];
const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(' ', '', '  ')), { maxLength: 40 })
  .map((parts) => parts.map(([t, sep]) => t + sep).join(''));

// A filter tree and its text: parsing the text must give the tree back.
const USER_STRING_ATTRIBUTES = ['id', 'userName', 'externalId', 'emails.value', 'displayName', 'name.givenName', 'name.familyName'];
const safeString = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\u0000'));
const OPS: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
type Parsed = [Filter, string];
const pair = (filter: Filter, text: string): Parsed => [filter, text];
const leaf: fc.Arbitrary<Parsed> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...USER_STRING_ATTRIBUTES), fc.constantFrom(...OPS), safeString)
    .map(([attribute, op, value]) => pair({ kind: 'compare', attribute, op, value }, `${attribute} ${op} ${JSON.stringify(value)}`)),
  fc
    .tuple(fc.constantFrom<CompareOp>('eq', 'ne'), fc.boolean())
    .map(([op, value]) => pair({ kind: 'compare', attribute: 'active', op, value }, `active ${op} ${String(value)}`)),
  fc
    .tuple(fc.constantFrom<CompareOp>('gt', 'le', 'eq'), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }))
    .map(([op, d]) => pair({ kind: 'compare', attribute: 'meta.lastModified', op, value: d.toISOString() }, `meta.lastModified ${op} "${d.toISOString()}"`)),
  fc.constantFrom(...USER_STRING_ATTRIBUTES).map((attribute) => pair({ kind: 'compare', attribute, op: 'eq', value: null }, `${attribute} eq null`)),
  fc.constantFrom(...USER_STRING_ATTRIBUTES).map((attribute) => pair({ kind: 'present', attribute }, `${attribute} pr`)),
);
const { tree } = fc.letrec<{ tree: Parsed }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    leaf,
    fc
      .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('tree'), tie('tree'))
      .map(([kind, [l, lt], [r, rt]]) => pair({ kind, left: l, right: r }, `(${lt}) ${kind} (${rt})`)),
    tie('tree').map(([f, t]) => pair({ kind: 'not', filter: f }, `not (${t})`)),
  ),
}));

// Mostly well-formed operations with plausible values, so that most bodies reach the appliers; and
// some hostile ones.
const VALID_PATHS = [
  'active', 'userName', 'externalId', 'displayName', 'name', 'name.givenName', 'name.familyName', 'name.formatted', 'emails',
  'emails.value', 'emails[type eq "work"].value', 'emails[type eq "work"]', 'emails[value eq "a@b.c"]', 'emails[primary eq true].type',
  'members', 'members[value eq "u1"]', 'members[value eq "u1" or value eq "u2"]', 'members[display eq "x"]', 'members.value',
  'id', 'meta', 'meta.lastModified', 'schemas', 'password', 'groups', 'title', 'phoneNumbers[type eq "work"].value',
  'addresses[type eq "work"].locality', `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, ENTERPRISE,
  'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName', 'emails[not (type eq "x")].value', 'x509Certificates',
];
const validPath = fc.oneof(fc.constantFrom(...VALID_PATHS), fc.mixedCase(fc.constantFrom(...VALID_PATHS)));
const path = fc.oneof(
  { arbitrary: validPath, weight: 6 },
  { arbitrary: fc.oneof(mutatedFilter, hostileString, fc.constantFrom('__proto__', 'constructor.prototype')), weight: 1 },
  { arbitrary: fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer()), weight: 1 },
);
const memberList = fc.array(
  fc.record({ value: fc.constantFrom('u1', 'u2', 'u3', 'a@b.c'), display: safeString }, { requiredKeys: ['value'] }),
  { maxLength: 4 },
);
const emailList = fc.array(
  fc.record(
    { value: fc.constantFrom('a@b.c', 'x@y.z', 'A@B.C'), type: fc.constantFrom('work', 'home', null), primary: fc.constantFrom(true, false, 'True') },
    { requiredKeys: ['value'] },
  ),
  { maxLength: 4 },
);
const nameValue = fc.record({ givenName: safeString, familyName: safeString, middleName: safeString }, { requiredKeys: [] });
const booleanValue = fc.constantFrom(true, false, 'True', 'False', 'true', 'FALSE');
const plausibleValue: fc.Arbitrary<unknown> = fc.oneof(
  safeString,
  booleanValue,
  fc.constantFrom('a@b.c', 'u1'),
  memberList,
  emailList,
  nameValue,
  fc.constant(null),
);
const value = fc.oneof({ arbitrary: plausibleValue, weight: 5 }, { arbitrary: hostileValue, weight: 1 });
const validOpName = fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'ADD');
const opName = fc.oneof({ arbitrary: validOpName, weight: 8 }, { arbitrary: fc.oneof(fc.constantFrom('move', 'copy', ''), hostileString), weight: 1 });
const pathlessValue = fc.dictionary(fc.oneof({ arbitrary: validPath, weight: 5 }, { arbitrary: hostileString, weight: 1 }), value, { maxKeys: 5 });

const operation = fc.oneof(
  { arbitrary: fc.record({ op: opName, path, value }, { requiredKeys: ['op', 'value'] }), weight: 6 },
  { arbitrary: fc.record({ op: opName, path, value }, { requiredKeys: ['op'] }), weight: 1 },
  { arbitrary: fc.record({ op: opName, value: pathlessValue }), weight: 3 },
  { arbitrary: hostileValue, weight: 1 },
);

const patchBody = fc.oneof(
  { arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.array(operation, { minLength: 1, maxLength: 4 }) }), weight: 8 },
  { arbitrary: fc.record({ schemas: fc.oneof(fc.constant([PATCH_OP]), hostileValue), Operations: hostileValue }, { requiredKeys: [] }), weight: 1 },
  { arbitrary: hostileValue, weight: 1 },
);

const baseUser = deepFreeze(
  userFromScim({
    userName: 'ann@example.com',
    name: { givenName: 'Ann', familyName: 'Smith', middleName: 'Q' },
    emails: [{ value: 'ann@example.com', type: 'work', primary: true }, { value: 'a@home', type: 'home' }],
    phoneNumbers: [{ value: '+1 555', type: 'work' }],
    [ENTERPRISE]: { department: 'R&D' },
  }),
);

const attributeName = fc.oneof(
  fc.constantFrom('userName', 'USERNAME', 'active', 'name', 'emails', 'displayName', 'externalId', 'members', 'id', 'meta', 'schemas', 'title', ENTERPRISE),
  hostileString,
);
/** Each attribute usually of its type, sometimes not. */
const typed = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 8 }, { arbitrary: hostileValue, weight: 1 });
const resourceBody = fc.oneof(
  {
    arbitrary: fc.record(
      {
        userName: typed(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })),
        displayName: typed(safeString),
        externalId: typed(fc.oneof(safeString, fc.constant(null))),
        active: typed(booleanValue),
        emails: typed(emailList),
        name: typed(nameValue),
        members: typed(memberList),
        title: value,
        [ENTERPRISE]: value,
      },
      { requiredKeys: [] },
    ),
    weight: 4,
  },
  { arbitrary: fc.dictionary(attributeName, hostileValue, { maxKeys: 8 }), weight: 1 },
  { arbitrary: hostileValue, weight: 1 },
);

// --- properties -------------------------------------------------------------------------------------

test('parseFilter: random text, token soup and mutated filters', { timeout: 60_000 }, () => {
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), tokenSoup, mutatedFilter);
  fc.assert(
    fc.property(text, fc.constantFrom<'User' | 'Group'>('User', 'Group'), (t, resource) => {
      const f = outcome(() => parseFilter(t, resource));
      if (f !== undefined) checkFilter(f, FILTER_ATTRIBUTES[resource]);
    }),
    params,
  );
});

test('parseFilter: a generated filter parses back to its tree', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(tree, ([expected, text]) => {
      assert.deepEqual(parseFilter(text, 'User'), expected);
    }),
    params,
  );
});

test('parsePatch and both appliers: random and hostile PATCH bodies', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(patchBody, (body) => {
      deepFreeze(body);
      const ops = outcome(() => parsePatch(body));
      if (ops === undefined) return;
      checkOps(ops);
      const next = outcome(() => applyUserPatch(baseUser, ops));
      if (next !== undefined) checkUser(next);
      const changes = outcome(() => groupPatchChanges(ops));
      if (changes !== undefined) checkGroupChanges(changes);
    }),
    params,
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('userFromScim and groupFromScim: random and hostile bodies', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(resourceBody, (body) => {
      deepFreeze(body);
      const user = outcome(() => userFromScim(body));
      if (user !== undefined) checkUser(user);
      const group = outcome(() => groupFromScim(body));
      if (group !== undefined) {
        assert.ok(isId(group.displayName) && isText(group.externalId) && group.members.every(isId));
        assert.equal(new Set(group.members).size, group.members.length);
      }
    }),
    params,
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('hostile sizes are refused quickly, not worked through', { timeout: 60_000 }, () => {
  const deep = nested(100_000);
  const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
  const long = 'a'.repeat(1_000_000);
  const bodies: unknown[] = [
    { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: deep }] },
    { schemas: [PATCH_OP], Operations: [{ op: 'add', value: wide }] },
    { schemas: [PATCH_OP], Operations: [{ op: 'add', path: long, value: 1 }] },
    { schemas: [PATCH_OP], Operations: Array.from({ length: 1000 }, () => ({ op: 'add', path: 'emails', value: Array.from({ length: 1000 }, (_, i) => ({ value: `${i}@x` })) })) },
    { schemas: [PATCH_OP], Operations: Array.from({ length: 1000 }, () => ({ op: 'add', path: 'members', value: Array.from({ length: 100 }, (_, i) => ({ value: `${i}` })) })) },
  ];
  const started = performance.now();
  for (const body of bodies) {
    const ops = outcome(() => parsePatch(body));
    if (ops === undefined) continue;
    outcome(() => applyUserPatch(baseUser, ops));
    outcome(() => groupPatchChanges(ops));
  }
  for (const body of [{ userName: 'x', deep }, { userName: 'x', ...wide }, { userName: long }, { displayName: 'g', members: deep }]) {
    outcome(() => userFromScim(body));
    outcome(() => groupFromScim(body));
  }
  outcome(() => parseFilter(long, 'User'));
  outcome(() => parseFilter(`${'('.repeat(2000)}id pr${')'.repeat(2000)}`, 'User'));
  assert.ok(performance.now() - started < 3000, `took ${Math.round(performance.now() - started)} ms`);
});
