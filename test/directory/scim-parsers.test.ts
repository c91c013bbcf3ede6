// The pure half of the SCIM service provider: filters, PATCH bodies and User/Group bodies, as Okta
// and Microsoft Entra ID send them (bodies copied from their documentation and provisioning logs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScimError, scimErrorBody, type ScimType } from '../../src/directory/scim/errors.js';
import { parseFilter, type Filter, type FilterValue } from '../../src/directory/scim/filter.js';
import { applyUserPatch, groupPatchChanges, parsePatch, type PatchOp } from '../../src/directory/scim/patch.js';
import {
  displayNameOf,
  groupFromScim,
  primaryEmail,
  userFromScim,
  type ScimUserFields,
} from '../../src/directory/scim/resources.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function rejects(fn: () => unknown, scimType: ScimType, detail?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ScimError, `not a ScimError: ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.scimType, scimType, err.message);
    if (detail) assert.match(err.message, detail);
    return true;
  });
}

/** JSON's view of a value: the `extra` bag has no prototype, which deepEqual would notice. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

function patch(...ops: unknown[]): PatchOp[] {
  return parsePatch({ schemas: [PATCH_OP], Operations: ops });
}

const eq = (attribute: string, value: FilterValue): Filter => ({ kind: 'compare', attribute, op: 'eq', value });

function user(overrides: Partial<ScimUserFields> = {}): ScimUserFields {
  return {
    userName: 'ann@example.com',
    externalId: 'ext-1',
    active: true,
    displayName: 'Ann',
    givenName: 'Ann',
    familyName: 'Smith',
    formatted: null,
    emails: [{ value: 'ann@example.com', type: 'work', primary: true }],
    extra: {},
    ...overrides,
  };
}

// --- errors -------------------------------------------------------------------------------------

test('the error body carries the status as a string and omits a null scimType', () => {
  assert.deepEqual(scimErrorBody(new ScimError(400, 'invalidFilter', 'bad')), {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: '400',
    scimType: 'invalidFilter',
    detail: 'bad',
  });
  const body = scimErrorBody(new ScimError(404, null, 'no such user'));
  assert.equal(body.status, '404');
  assert.equal('scimType' in body, false);
});

// --- filters ------------------------------------------------------------------------------------

test('filters as Okta sends them', () => {
  assert.deepEqual(parseFilter('userName eq "ann@example.com"', 'User'), eq('userName', 'ann@example.com'));
  assert.deepEqual(parseFilter('displayName eq "Engineering"', 'Group'), eq('displayName', 'Engineering'));
});

test('filters as Entra ID sends them', () => {
  assert.deepEqual(parseFilter('externalId eq "0a1b2c3d-4e5f"', 'User'), eq('externalId', '0a1b2c3d-4e5f'));
  assert.deepEqual(parseFilter('displayName eq "Group"', 'Group'), eq('displayName', 'Group'));
  assert.deepEqual(parseFilter('userName eq "x" and active eq true', 'User'), {
    kind: 'and',
    left: eq('userName', 'x'),
    right: eq('active', true),
  });
  // Entra ID checks membership with a GET filter on the group.
  assert.deepEqual(parseFilter('id eq "g1" and members[value eq "u1"]', 'Group'), {
    kind: 'and',
    left: eq('id', 'g1'),
    right: eq('members.value', 'u1'),
  });
});

test('operators, keywords and attribute names are case-insensitive; names come out canonical', () => {
  assert.deepEqual(parseFilter('USERNAME EQ "x" AnD Active Eq TRUE', 'User'), {
    kind: 'and',
    left: eq('userName', 'x'),
    right: eq('active', true),
  });
  assert.deepEqual(parseFilter('name.GIVENNAME sw "A"', 'User'), { kind: 'compare', attribute: 'name.givenName', op: 'sw', value: 'A' });
  assert.deepEqual(parseFilter('EMAILS.Value pr', 'User'), { kind: 'present', attribute: 'emails.value' });
  assert.deepEqual(parseFilter('NOT (externalid PR)', 'Group'), { kind: 'not', filter: { kind: 'present', attribute: 'externalId' } });
});

test('a schema URN prefix is accepted for the resource it names only', () => {
  assert.deepEqual(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', 'User'), eq('userName', 'x'));
  assert.deepEqual(parseFilter('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.familyName eq "S"', 'User'), eq('name.familyName', 'S'));
  assert.deepEqual(parseFilter('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "g"', 'Group'), eq('displayName', 'g'));
  rejects(() => parseFilter('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "g"', 'User'), 'invalidFilter');
  rejects(() => parseFilter(`${ENTERPRISE}:employeeNumber eq "1"`, 'User'), 'invalidFilter');
});

test('every comparison operator, pr, and the precedence of not, and, or', () => {
  for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const) {
    assert.deepEqual(parseFilter(`userName ${op} "m"`, 'User'), { kind: 'compare', attribute: 'userName', op, value: 'm' });
  }
  const a = eq('userName', 'a');
  const b = eq('userName', 'b');
  const c = eq('userName', 'c');
  assert.deepEqual(parseFilter('userName eq "a" or userName eq "b" and userName eq "c"', 'User'), {
    kind: 'or',
    left: a,
    right: { kind: 'and', left: b, right: c },
  });
  assert.deepEqual(parseFilter('(userName eq "a" or userName eq "b") and not(userName eq "c")', 'User'), {
    kind: 'and',
    left: { kind: 'or', left: a, right: b },
    right: { kind: 'not', filter: c },
  });
  assert.deepEqual(parseFilter('userName eq "a" and userName eq "b" and userName eq "c"', 'User'), {
    kind: 'and',
    left: { kind: 'and', left: a, right: b },
    right: c,
  });
});

test('values: JSON string escapes, true/false/null, dates normalised, multi-valued attributes', () => {
  assert.deepEqual(parseFilter('displayName eq "a \\"quoted\\" \\u00e9 \\\\ ]"', 'User'), eq('displayName', 'a "quoted" é \\ ]'));
  assert.deepEqual(parseFilter('active eq False', 'User'), eq('active', false));
  assert.deepEqual(parseFilter('active ne "true"', 'User'), { kind: 'compare', attribute: 'active', op: 'ne', value: true });
  assert.deepEqual(parseFilter('externalId eq null', 'User'), eq('externalId', null));
  assert.deepEqual(parseFilter('meta.lastModified gt "2024-01-31T12:00:00+01:00"', 'User'), {
    kind: 'compare',
    attribute: 'meta.lastModified',
    op: 'gt',
    value: '2024-01-31T11:00:00.000Z',
  });
  assert.deepEqual(parseFilter('emails co "@example.com"', 'User'), { kind: 'compare', attribute: 'emails.value', op: 'co', value: '@example.com' });
  assert.deepEqual(parseFilter('emails[type eq "work"].value eq "a@b.c"', 'User'), eq('emails.value', 'a@b.c'));
  assert.deepEqual(parseFilter('emails[value eq "a@b.c"]', 'User'), eq('emails.value', 'a@b.c'));
  assert.deepEqual(parseFilter('members[value eq "u1" or value eq "u2"]', 'Group'), {
    kind: 'or',
    left: eq('members.value', 'u1'),
    right: eq('members.value', 'u2'),
  });
  assert.deepEqual(parseFilter('  userName   eq\t"x"  ', 'User'), eq('userName', 'x'));
});

test('nesting up to 16 levels is accepted, 17 is not', () => {
  const nested = (n: number) => `${'not ('.repeat(n)}id pr${')'.repeat(n)}`;
  assert.equal(parseFilter(nested(16), 'User').kind, 'not');
  rejects(() => parseFilter(nested(17), 'User'), 'invalidFilter', /deeper than 16/);
  rejects(() => parseFilter(`${'('.repeat(17)}id pr${')'.repeat(17)}`, 'Group'), 'invalidFilter', /deeper than 16/);
});

test('every malformed or unsupported filter is a 400 invalidFilter saying what is wrong', () => {
  const cases: Array<[string, RegExp, 'User' | 'Group']> = [
    ['', /empty/, 'User'],
    ['   ', /empty/, 'User'],
    ['title eq "CEO"', /"title" is not an attribute/, 'User'],
    ['userName eq "x"', /"userName" is not an attribute/, 'Group'],
    ['members.value eq "x"', /not an attribute/, 'User'],
    ['emails[type eq "work"]', /"emails.type" is not an attribute/, 'User'],
    ['userName eq "x', /unterminated string starting at position 12/, 'User'],
    ['userName eq "x" junk', /unexpected "junk" at position 16/, 'User'],
    ['userName eq "x")', /unexpected "\)"/, 'User'],
    ['(userName eq "x"', /ends where "\)"/, 'User'],
    ['userName eq', /ends where a value was expected/, 'User'],
    ['userName', /ends where an operator/, 'User'],
    ['userName like "x"', /expected an operator at position 9, found "like"/, 'User'],
    ['userName eq x', /expected a value at position 12/, 'User'],
    ['userName eq "x" and', /ends where an attribute/, 'User'],
    ['and userName eq "x"', /"and" is not an attribute/, 'User'],
    ['not userName eq "x"', /expected "\(" after "not"/, 'User'],
    ['userName eq "\\x"', /invalid string at position 12/, 'User'],
    ['userName eq "a\u0001b"', /invalid string/, 'User'],
    ['userName eq "\\u0000"', /NUL/, 'User'],
    ['userName eq "\\ud800"', /unpaired surrogate/, 'User'],
    ['userName eq 5', /userName is compared with a string/, 'User'],
    ['active eq "maybe"', /active is compared with true or false/, 'User'],
    ['active gt true', /active supports only eq, ne and pr/, 'User'],
    ['userName gt null', /gt cannot compare with null/, 'User'],
    ['meta.lastModified gt "yesterday"', /date and time/, 'User'],
    ['meta.lastModified co "2024"', /supports only/, 'User'],
    ['emails[value eq "a" and emails[value eq "b"]]', /cannot appear inside brackets/, 'User'],
    ['emails[value eq "a"', /ends where "]"/, 'User'],
    ['emails[type eq "work"].value', /ends where an operator/, 'User'],
    ['userName eq 1e999', /expected a value/, 'User'],
    [`userName eq "${'a'.repeat(4100)}"`, /longer than 4096/, 'User'],
  ];
  for (const [text, detail, resource] of cases) rejects(() => parseFilter(text, resource), 'invalidFilter', detail);
});

// --- PATCH bodies -------------------------------------------------------------------------------

test('the PATCH envelope: schemas, Operations, op names in any case', () => {
  assert.equal(patch({ op: 'Replace', path: 'active', value: 'False' })[0]?.op, 'replace');
  assert.equal(parsePatch({ schemas: [PATCH_OP.toUpperCase()], operations: [{ OP: 'ADD', Value: { title: 'x' } }] })[0]?.op, 'add');
  rejects(() => parsePatch(null), 'invalidSyntax');
  rejects(() => parsePatch([]), 'invalidSyntax');
  rejects(() => parsePatch({ Operations: [{ op: 'add', value: {} }] }), 'invalidSyntax', /schemas must include/);
  rejects(() => parsePatch({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [] }), 'invalidSyntax');
  rejects(() => parsePatch({ schemas: [PATCH_OP], Operations: { op: 'add' } }), 'invalidSyntax', /Operations must be an array/);
  rejects(() => parsePatch({ schemas: [PATCH_OP], Operations: [] }), 'invalidValue', /1 to 1000/);
  const many = Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'active', value: true }));
  rejects(() => parsePatch({ schemas: [PATCH_OP], Operations: many }), 'invalidValue', /1 to 1000/);
  assert.equal(parsePatch({ schemas: [PATCH_OP], Operations: many.slice(1) }).length, 1000);
});

test('malformed operations are refused with the right scimType', () => {
  rejects(() => patch('add'), 'invalidSyntax', /Operations\[0\] must be an object/);
  rejects(() => patch({ op: 'move', path: 'active', value: true }), 'invalidSyntax', /op must be/);
  rejects(() => patch({ path: 'active', value: true }), 'invalidSyntax');
  rejects(() => patch({ op: 'remove' }), 'noTarget');
  rejects(() => patch({ op: 'remove', path: '' }), 'noTarget');
  rejects(() => patch({ op: 'add', path: 'title' }), 'invalidValue', /needs a value/);
  rejects(() => patch({ op: 'replace', value: 'x' }), 'invalidValue', /must be an object of attributes/);
  rejects(() => patch({ op: 'replace', value: [{ active: false }] }), 'invalidValue');
  rejects(() => patch({ op: 'add', path: 5, value: 'x' }), 'invalidPath');
  for (const path of ['1abc', 'name..x', 'a.b.c', 'name.givenName[type eq "x"]', 'emails[type eq "work"', 'emails[type eq "work"]x', 'user name', 'foo:bar']) {
    rejects(() => patch({ op: 'add', path, value: 'x' }), 'invalidPath');
  }
  rejects(() => patch({ op: 'add', path: 'emails[type eq]', value: 'x' }), 'invalidFilter');
  rejects(() => patch({ op: 'add', path: 'emails[primary eq "perhaps"]', value: 'x' }), 'invalidFilter');
});

test('paths: attribute, sub-attribute, filter, URN prefixes, canonical spelling', () => {
  const paths = (...texts: string[]) => patch(...texts.map((path) => ({ op: 'remove', path }))).map((o) => o.path);
  assert.deepEqual(paths('members[value eq "abc"]', 'emails[type eq "work"].value', 'name.givenName', 'Name.GIVENNAME'), [
    { attribute: 'members', subAttribute: null, filter: eq('value', 'abc') },
    { attribute: 'emails', subAttribute: 'value', filter: eq('type', 'work') },
    { attribute: 'name', subAttribute: 'givenName', filter: null },
    { attribute: 'name', subAttribute: 'givenName', filter: null },
  ]);
  assert.deepEqual(paths('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', `${ENTERPRISE}:manager`, `${ENTERPRISE.toLowerCase()}:Department`), [
    { attribute: 'name', subAttribute: 'familyName', filter: null },
    { attribute: `${ENTERPRISE}:manager`, subAttribute: null, filter: null },
    { attribute: `${ENTERPRISE}:department`, subAttribute: null, filter: null },
  ]);
  // A "]" inside a quoted value does not close the filter; numbers are fine where the type is unknown.
  assert.deepEqual(paths('members[value eq "a]b"]', 'addresses[rank ge 2.5]')[0], { attribute: 'members', subAttribute: null, filter: eq('value', 'a]b') });
  assert.deepEqual(paths('addresses[rank ge 2.5]')[0]?.filter, { kind: 'compare', attribute: 'rank', op: 'ge', value: 2.5 });
});

// --- User PATCH ---------------------------------------------------------------------------------

test('Okta deactivates with a path-less replace', () => {
  const next = applyUserPatch(user(), patch({ op: 'replace', value: { active: false } }));
  assert.equal(next.active, false);
  assert.equal(applyUserPatch(next, patch({ op: 'replace', value: { active: true } })).active, true);
});

test('Entra ID sends booleans as strings in any case', () => {
  assert.equal(applyUserPatch(user(), patch({ op: 'Replace', path: 'active', value: 'False' })).active, false);
  assert.equal(applyUserPatch(user({ active: false }), patch({ op: 'Replace', path: 'active', value: 'TRUE' })).active, true);
  assert.equal(applyUserPatch(user(), patch({ op: 'Add', value: { active: 'false' } })).active, false);
});

test('Entra ID adds a work email to a user who has none, and replaces it later', () => {
  const start = user({ emails: [] });
  const added = applyUserPatch(start, patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'a@b.c' }));
  assert.deepEqual(added.emails, [{ value: 'a@b.c', type: 'work', primary: false }]);
  assert.equal(primaryEmail(added), 'a@b.c');
  const replaced = applyUserPatch(added, patch({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@b.c' }));
  assert.deepEqual(replaced.emails, [{ value: 'new@b.c', type: 'work', primary: false }]);
  const home = applyUserPatch(replaced, patch({ op: 'Add', path: 'emails[type eq "home"].value', value: 'h@b.c' }));
  assert.deepEqual(home.emails.map((e) => e.value), ['new@b.c', 'h@b.c']);
  assert.equal(primaryEmail(home), 'new@b.c');
});

test('Entra ID sets name parts by path and by dotted keys in a path-less value', () => {
  const a = applyUserPatch(user(), patch({ op: 'Replace', path: 'name.givenName', value: 'Anna' }));
  assert.equal(a.givenName, 'Anna');
  assert.equal(a.familyName, 'Smith');
  const b = applyUserPatch(a, patch({ op: 'Add', value: { 'name.familyName': 'X', 'name.formatted': 'Anna X', displayName: 'AX' } }));
  assert.deepEqual([b.givenName, b.familyName, b.formatted, b.displayName], ['Anna', 'X', 'Anna X', 'AX']);
  const c = applyUserPatch(b, patch({ op: 'replace', path: 'name', value: { familyName: 'Y', middleName: 'Q' } }));
  assert.deepEqual([c.givenName, c.familyName, plain(c.extra)], ['Anna', 'Y', { name: { middleName: 'Q' } }]);
  const d = applyUserPatch(c, patch({ op: 'remove', path: 'name' }));
  assert.deepEqual([d.givenName, d.familyName, d.formatted, plain(d.extra)], [null, null, null, {}]);
});

test('attributes alter does not model are kept in extra and never fail the request', () => {
  const next = applyUserPatch(
    user(),
    patch(
      { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mgr-1' },
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'R&D' },
      { op: 'Replace', path: 'title', value: 'Engineer' },
      { op: 'Add', path: 'preferredLanguage', value: 'en-US' },
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Oslo' },
      { op: 'replace', value: { [ENTERPRISE]: { employeeNumber: '42' }, nickName: 'A' } },
      { op: 'add', path: 'password', value: 'secret' },
    ),
  );
  assert.deepEqual(plain(next.extra), {
    [ENTERPRISE]: { manager: 'mgr-1', department: 'R&D', employeeNumber: '42' },
    title: 'Engineer',
    preferredLanguage: 'en-US',
    phoneNumbers: [{ type: 'work', value: '+1 555' }],
    addresses: [{ type: 'work', locality: 'Oslo' }],
    nickName: 'A',
  });
  const removed = applyUserPatch(next, patch({ op: 'remove', path: `${ENTERPRISE}:manager` }, { op: 'Remove', path: 'TITLE' }));
  assert.deepEqual(plain(removed.extra[ENTERPRISE]), { department: 'R&D', employeeNumber: '42' });
  assert.equal(Object.hasOwn(removed.extra, 'title'), false);
  assert.equal(removed.extra.nickName, 'A');
});

test('emails: replace the list, add to it, remove by filter or value', () => {
  const two = applyUserPatch(
    user(),
    patch({ op: 'replace', path: 'emails', value: [{ value: 'a@x', type: 'work' }, { value: 'b@x', type: 'home', primary: 'True' }] }),
  );
  assert.deepEqual(two.emails, [
    { value: 'a@x', type: 'work', primary: false },
    { value: 'b@x', type: 'home', primary: true },
  ]);
  const three = applyUserPatch(two, patch({ op: 'add', path: 'emails', value: [{ value: 'c@x', primary: true }] }));
  assert.deepEqual(three.emails.map((e) => [e.value, e.primary]), [['a@x', false], ['b@x', false], ['c@x', true]]);
  const same = applyUserPatch(three, patch({ op: 'add', path: 'emails', value: { value: 'A@X', type: 'other' } }));
  assert.deepEqual(same.emails.map((e) => [e.value, e.type]), [['A@X', 'other'], ['b@x', 'home'], ['c@x', null]]);
  assert.deepEqual(applyUserPatch(three, patch({ op: 'remove', path: 'emails[value eq "B@X"]' })).emails.map((e) => e.value), ['a@x', 'c@x']);
  assert.deepEqual(applyUserPatch(three, patch({ op: 'remove', path: 'emails[type eq "work"].value' })).emails.map((e) => e.value), ['b@x', 'c@x']);
  assert.deepEqual(applyUserPatch(three, patch({ op: 'remove', path: 'emails', value: [{ value: 'c@x' }] })).emails.map((e) => e.value), ['a@x', 'b@x']);
  assert.deepEqual(applyUserPatch(three, patch({ op: 'remove', path: 'emails' })).emails, []);
  assert.deepEqual(applyUserPatch(three, patch({ op: 'replace', path: 'emails.value', value: 'p@x' })).emails[2], { value: 'p@x', type: null, primary: true });
  const created = applyUserPatch(user({ emails: [] }), patch({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h@x' } }));
  assert.deepEqual(created.emails, [{ value: 'h@x', type: 'home', primary: false }]);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'emails[value co "nomatch"].value', value: 'x@x' })), 'noTarget');
  const many = Array.from({ length: 101 }, (_, i) => ({ value: `${i}@x` }));
  rejects(() => applyUserPatch(user(), patch({ op: 'add', path: 'emails', value: many })), 'invalidValue', /at most 100/);
});

test('simple attributes: userName, externalId, displayName', () => {
  const next = applyUserPatch(
    user(),
    patch(
      { op: 'replace', path: 'userName', value: 'ann.smith@example.com' },
      { op: 'remove', path: 'externalId' },
      { op: 'replace', path: 'displayName', value: null },
    ),
  );
  assert.deepEqual([next.userName, next.externalId, next.displayName], ['ann.smith@example.com', null, null]);
  assert.equal(displayNameOf(next), 'Ann Smith');
});

test('the server\'s own attributes cannot be changed', () => {
  for (const body of [
    { op: 'replace', path: 'id', value: 'x' },
    { op: 'replace', path: 'meta.lastModified', value: '2024-01-01T00:00:00Z' },
    { op: 'replace', value: { id: 'x', active: false } },
    { op: 'remove', path: 'schemas' },
  ]) {
    rejects(() => applyUserPatch(user(), patch(body)), 'mutability');
  }
});

test('values of the wrong type are invalidValue; paths that select nothing sensible are invalidPath', () => {
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'active', value: 'maybe' })), 'invalidValue', /active/);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'userName', value: 5 })), 'invalidValue', /userName/);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', value: { userName: '' } })), 'invalidValue', /userName/);
  rejects(() => applyUserPatch(user(), patch({ op: 'remove', path: 'userName' })), 'invalidValue', /userName/);
  rejects(() => applyUserPatch(user(), patch({ op: 'remove', path: 'active' })), 'invalidValue', /active cannot be removed/);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'name', value: 'Ann' })), 'invalidValue', /name/);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'displayName', value: 'x'.repeat(1025) })), 'invalidValue', /1024/);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'title', value: 'x'.repeat(1025) })), 'invalidValue', /1024/);
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 7 })), 'invalidValue');
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'userName.first', value: 'x' })), 'invalidPath');
  rejects(() => applyUserPatch(user(), patch({ op: 'replace', path: 'active[type eq "x"]', value: true })), 'invalidPath');
});

test('the current fields are never changed', () => {
  const current = user({ extra: userFromScim({ userName: 'x', phoneNumbers: [{ value: '1', type: 'work' }] }).extra });
  const before = structuredClone(plain(current));
  applyUserPatch(
    current,
    patch(
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'z@x' },
      { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '2' },
      { op: 'replace', path: 'name.givenName', value: 'Zed' },
      { op: 'replace', value: { active: false } },
    ),
  );
  assert.deepEqual(plain(current), before);
});

// --- Group PATCH --------------------------------------------------------------------------------

test('group PATCH bodies as Okta sends them', () => {
  assert.deepEqual(groupPatchChanges(patch({ op: 'replace', value: { id: '00g1', displayName: 'New' } })), {
    displayName: 'New',
    add: [],
    remove: [],
    replaceMembers: null,
  });
  assert.deepEqual(groupPatchChanges(patch({ op: 'add', path: 'members', value: [{ value: 'id1', display: 'x' }] })), {
    add: ['id1'],
    remove: [],
    replaceMembers: null,
  });
  assert.deepEqual(groupPatchChanges(patch({ op: 'remove', path: 'members[value eq "id1"]' })), {
    add: [],
    remove: ['id1'],
    replaceMembers: null,
  });
});

test('group PATCH bodies as Entra ID sends them', () => {
  assert.deepEqual(
    groupPatchChanges(
      patch(
        { op: 'Replace', path: 'displayName', value: 'Renamed' },
        { op: 'Replace', path: 'externalId', value: 'e-1' },
        { op: 'Add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] },
        { op: 'Remove', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }] },
      ),
    ),
    { displayName: 'Renamed', externalId: 'e-1', add: ['u1'], remove: ['u2', 'u3'], replaceMembers: null },
  );
  assert.deepEqual(groupPatchChanges(patch({ op: 'remove', path: 'members[value eq "a" or value eq "b"]' })).remove, ['a', 'b']);
  assert.deepEqual(groupPatchChanges(patch({ op: 'Remove', path: 'externalId' })).externalId, null);
});

test('group member replacement, removal of all, path-less values, and their order', () => {
  assert.deepEqual(groupPatchChanges(patch({ op: 'replace', path: 'members', value: [{ value: 'a' }, { value: 'a' }, { value: 'b' }] })), {
    add: [],
    remove: [],
    replaceMembers: ['a', 'b'],
  });
  assert.deepEqual(groupPatchChanges(patch({ op: 'remove', path: 'members' })).replaceMembers, []);
  assert.deepEqual(groupPatchChanges(patch({ op: 'replace', value: { members: [{ value: 'x' }], schemas: [], description: 'ignored' } })).replaceMembers, ['x']);
  assert.deepEqual(groupPatchChanges(patch({ op: 'add', value: { members: [{ value: 'x' }] } })).add, ['x']);
  assert.deepEqual(groupPatchChanges(patch({ op: 'remove', value: { members: [{ value: 'x' }] } })).remove, ['x']);
  assert.deepEqual(
    groupPatchChanges(
      patch(
        { op: 'replace', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
        { op: 'add', path: 'members', value: [{ value: 'c' }] },
        { op: 'remove', path: 'members[value eq "a"]' },
      ),
    ),
    { add: [], remove: [], replaceMembers: ['b', 'c'] },
  );
  assert.deepEqual(
    groupPatchChanges(
      patch(
        { op: 'remove', path: 'members', value: [{ value: 'a' }] },
        { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
        { op: 'remove', path: 'members', value: [{ value: 'b' }] },
      ),
    ),
    { add: ['a'], remove: ['b'], replaceMembers: null },
  );
});

test('group PATCH errors', () => {
  rejects(() => groupPatchChanges(patch({ op: 'replace', path: 'id', value: 'x' })), 'mutability');
  rejects(() => groupPatchChanges(patch({ op: 'replace', value: { meta: {} } })), 'mutability');
  rejects(() => groupPatchChanges(patch({ op: 'remove', path: 'displayName' })), 'invalidValue');
  rejects(() => groupPatchChanges(patch({ op: 'replace', path: 'displayName', value: 5 })), 'invalidValue');
  rejects(() => groupPatchChanges(patch({ op: 'add', path: 'members', value: ['u1'] })), 'invalidValue');
  rejects(() => groupPatchChanges(patch({ op: 'add', path: 'members', value: [{ value: 1 }] })), 'invalidValue');
  rejects(() => groupPatchChanges(patch({ op: 'remove', path: 'members[display eq "Ann"]' })), 'invalidFilter');
  rejects(() => groupPatchChanges(patch({ op: 'add', path: 'members[value eq "a"]', value: [{ value: 'a' }] })), 'invalidPath');
  rejects(() => groupPatchChanges(patch({ op: 'replace', path: 'members.value', value: 'a' })), 'invalidPath');
  rejects(() => groupPatchChanges(patch({ op: 'replace', path: 'displayName.x', value: 'a' })), 'invalidPath');
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ value: `u${from + i}` }));
  assert.equal(groupPatchChanges(patch({ op: 'add', path: 'members', value: ids(10_000) })).add.length, 10_000);
  rejects(() => groupPatchChanges(patch({ op: 'add', path: 'members', value: ids(10_001) })), 'invalidValue', /10000/);
  rejects(
    () => groupPatchChanges(patch({ op: 'add', path: 'members', value: ids(6000) }, { op: 'add', path: 'members', value: ids(6000, 6000) })),
    'invalidValue',
  );
});

// --- User and Group bodies ----------------------------------------------------------------------

test('a User as Okta creates it', () => {
  const fields = userFromScim({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'ann@example.com',
    name: { givenName: 'Ann', familyName: 'Smith' },
    emails: [{ primary: true, value: 'ann@example.com', type: 'work' }],
    displayName: 'Ann Smith',
    locale: 'en-US',
    externalId: '00u1',
    groups: [],
    password: 'hunter2',
    active: true,
  });
  assert.deepEqual(plain(fields), {
    userName: 'ann@example.com',
    externalId: '00u1',
    active: true,
    displayName: 'Ann Smith',
    givenName: 'Ann',
    familyName: 'Smith',
    formatted: null,
    emails: [{ value: 'ann@example.com', type: 'work', primary: true }],
    extra: { locale: 'en-US' },
  });
  assert.equal(Object.getPrototypeOf(fields.extra), null);
});

test('a User as Entra ID creates it', () => {
  const fields = userFromScim({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: 'ann',
    userName: 'ann@contoso.com',
    active: 'False',
    emails: [{ primary: 'True', type: 'work', value: 'ann@contoso.com' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Ann Smith', familyName: 'Smith', givenName: 'Ann' },
    roles: [],
    [ENTERPRISE]: { employeeNumber: '42', manager: { value: 'm1' } },
  });
  assert.equal(fields.active, false);
  assert.equal(fields.emails[0]?.primary, true);
  assert.equal(fields.formatted, 'Ann Smith');
  assert.deepEqual(plain(fields.extra), { roles: [], [ENTERPRISE]: { employeeNumber: '42', manager: { value: 'm1' } } });
});

test('User bodies: defaults, case-insensitive names, limits', () => {
  const minimal = userFromScim({ UserName: 'x' });
  assert.deepEqual([minimal.userName, minimal.active, minimal.emails, minimal.externalId], ['x', true, [], null]);
  assert.equal(userFromScim({ userName: 'x', ACTIVE: 'true', displayname: 'D' }).displayName, 'D');
  rejects(() => userFromScim({ displayName: 'x' }), 'invalidValue', /userName/);
  rejects(() => userFromScim({ userName: 5 }), 'invalidValue', /userName/);
  rejects(() => userFromScim({ userName: 'x', active: 'maybe' }), 'invalidValue', /active/);
  rejects(() => userFromScim({ userName: 'x', emails: 'a@b' }), 'invalidValue', /emails/);
  rejects(() => userFromScim({ userName: 'x', emails: [{ value: 'a@b', primary: 'sometimes' }] }), 'invalidValue');
  rejects(() => userFromScim({ userName: 'x'.repeat(1025) }), 'invalidValue', /1024/);
  rejects(() => userFromScim({ userName: 'x\u0000y' }), 'invalidValue', /NUL/);
  rejects(() => userFromScim({ userName: 'x', emails: Array.from({ length: 101 }, (_, i) => ({ value: `${i}@x` })) }), 'invalidValue');
  rejects(() => userFromScim({ userName: 'x', deep: JSON.parse('['.repeat(50) + ']'.repeat(50)) }), 'invalidValue', /deeper/);
  rejects(() => userFromScim('x'), 'invalidSyntax');
});

test('emails: one entry per address, one primary, valueless entries dropped; primaryEmail and displayNameOf', () => {
  const fields = userFromScim({
    userName: 'x',
    emails: [{ value: 'a@x', primary: true }, { value: 'b@x', type: 'work' }, { type: 'home' }, { value: 'A@x', type: 'home', primary: true }],
  });
  assert.deepEqual(fields.emails, [
    { value: 'A@x', type: 'home', primary: true },
    { value: 'b@x', type: 'work', primary: false },
  ]);
  assert.equal(primaryEmail(fields), 'A@x');
  const e = (value: string, type: string | null, primary = false) => ({ value, type, primary });
  assert.equal(primaryEmail({ emails: [e('h@x', 'home'), e('w@x', 'WORK')] }), 'w@x');
  assert.equal(primaryEmail({ emails: [e('h@x', 'home'), e('o@x', null)] }), 'h@x');
  assert.equal(primaryEmail({ emails: [] }), null);
  const names = { displayName: null, formatted: null, givenName: null, familyName: null };
  assert.equal(displayNameOf({ ...names, displayName: 'D', formatted: 'F' }), 'D');
  assert.equal(displayNameOf({ ...names, formatted: 'F', givenName: 'G' }), 'F');
  assert.equal(displayNameOf({ ...names, familyName: 'Smith' }), 'Smith');
  assert.equal(displayNameOf(names), null);
});

test('prototype-polluting keys are neither followed nor kept', () => {
  const body = JSON.parse(
    '{"userName":"x","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"title":{"__proto__":{"polluted":1},"a":1}}',
  );
  const fields = userFromScim(body);
  assert.deepEqual(plain(fields.extra), { title: { a: 1 } });
  const patched = applyUserPatch(fields, patch(JSON.parse('{"op":"add","value":{"__proto__":{"active":false},"prototype":1}}')));
  assert.equal(patched.active, true);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(patched.extra, '__proto__'), false);
});

test('a Group as Okta and Entra ID create it', () => {
  assert.deepEqual(
    groupFromScim({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Eng', members: [] }),
    { displayName: 'Eng', externalId: null, members: [] },
  );
  assert.deepEqual(
    groupFromScim({ externalId: 'e1', displayname: 'Eng', members: [{ value: 'u1', display: 'Ann' }, { value: 'u2' }, { value: 'u1' }] }),
    { displayName: 'Eng', externalId: 'e1', members: ['u1', 'u2'] },
  );
  rejects(() => groupFromScim({ members: [] }), 'invalidValue', /displayName/);
  rejects(() => groupFromScim({ displayName: 'x', members: [{ value: 5 }] }), 'invalidValue');
  rejects(() => groupFromScim({ displayName: 'x', members: Array.from({ length: 10_001 }, (_, i) => ({ value: `u${i}` })) }), 'invalidValue');
  rejects(() => groupFromScim(null), 'invalidSyntax');
});
