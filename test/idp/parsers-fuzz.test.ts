// Fuzzing of the parsers that read what identity providers send: discovery documents and JWKS,
// webhook bodies of every scheme, and claims. Whatever arrives — random JSON, deep nesting, huge
// strings, __proto__ keys, wrong types, odd unicode, NUL — each returns a well-formed result or
// fails the documented way (AlterError, MalformedDelivery), never with a TypeError or a RangeError.
// Seeded, so that a failure reproduces:
// PARSER_FUZZ_SEED=<seed> PARSER_FUZZ_RUNS=<runs> node --import tsx --test test/idp/parsers-fuzz.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Webhook } from 'svix';
import { AlterError } from '../../src/errors.js';
import { claimList, readClaim, stringClaim, type Claims } from '../../src/idp/claims.js';
import { discover } from '../../src/idp/discovery.js';
import { IssuerKeys } from '../../src/idp/jwks-cache.js';
import { parseJwks } from '../../src/idp/verify/keys.js';
import { adapterFor } from '../../src/idp/webhooks/adapters.js';
import { MalformedDelivery, type LifecycleEvent, type ProviderClaims, type ProviderEvent } from '../../src/idp/webhooks/events.js';
import { WEBHOOK_SCHEMES, type WebhookRequest, type WebhookScheme } from '../../src/idp/webhooks/scheme.js';

const SEED = Number(process.env.PARSER_FUZZ_SEED ?? 2026_0602);
const RUNS = Math.max(1, Number(process.env.PARSER_FUZZ_RUNS ?? 1000));
console.log(`parser fuzz: seed ${SEED}, ${RUNS} runs per property`);
const params = { seed: SEED, numRuns: RUNS };

// ---- hostile JSON -------------------------------------------------------------------------------

/**
 * Strings that stand for nesting deeper than any recursive function survives: expanded only when
 * the input is used (see expand), so that a counterexample stays readable.
 */
const DEEP = '@@deep-arrays@@';
const DEEP_OBJECT = '@@deep-objects@@';

const hostileString = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'toString',
  '%00',
  '%',
  '%E0%A4%A',
  '\ud800',
  '\u202e\u200b',
  '😀',
  'x'.repeat(20_000),
);
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 16 }), fc.string({ maxLength: 8 }), hostileString);
/** Times and sizes at the edges of Date (±8.64e15 ms) and of the seconds/milliseconds guess (1e12). */
const hostileNumber = fc.constantFrom(1e20, -1e20, 8.64e15, 8.64e15 + 1, -8.64e15 - 1, 8.64e12 + 1, 1e12, 1e12 - 1, 0, -0, -1, 1.5, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53);
const protoObject = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__":{"polluted":true,"type":"user.deleted","id":"x"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
);
const shallowLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: text, weight: 2 },
  hostileNumber,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
  protoObject,
);
const deep = fc.constantFrom(DEEP, DEEP_OBJECT);
const leaf: fc.Arbitrary<unknown> = fc.oneof({ arbitrary: shallowLeaf, weight: 5 }, { arbitrary: deep, weight: 1 });

/** Mostly `usual` (what the provider sends there), sometimes anything. */
const or = <T>(usual: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: usual, weight: 9 }, { arbitrary: leaf, weight: 1 });
/** An object with these fields: mostly all of them, sometimes any of them. */
const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  fc.oneof({ arbitrary: fc.record(fields), weight: 3 }, { arbitrary: fc.record(fields, { requiredKeys: [] }), weight: 1 });
const dateish = fc.oneof(fc.constantFrom('2024-05-01T10:00:00Z', '2024-05-01', 'yesterday', '+275760-09-13T00:00:00.001Z'), hostileNumber, fc.integer({ min: 0, max: 2e9 }));

/** The JSON text of `value`, its DEEP strings still unexpanded. */
const toJson = (value: unknown): string => JSON.stringify(value);

function expand(text: string): string {
  return text
    .replaceAll(toJson(DEEP), `${'['.repeat(20_000)}${']'.repeat(20_000)}`)
    .replaceAll(toJson(DEEP_OBJECT), `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
}

/** Whole bodies no provider would send. */
const hostileText = fc.constantFrom(
  '',
  ' \n ',
  'null',
  '0',
  '"text"',
  '[]',
  '{}',
  '[{}]',
  '{"a":',
  '\u0000',
  toJson(DEEP),
  toJson(DEEP_OBJECT),
  `{"events":${toJson(DEEP)}}`,
  `{"data":{"events":[${toJson(DEEP)}]}}`,
  '{"__proto__":{"events":[]}}',
);

/** A body: JSON text (shaped like the real thing, any JSON, or hostile), or raw bytes. */
type Body = { text: string } | { bytes: Buffer };
const bytesOf = (b: Body): Buffer => ('bytes' in b ? b.bytes : Buffer.from(expand(b.text)));

const jsonText = (shaped: fc.Arbitrary<unknown>): fc.Arbitrary<Body> =>
  fc.oneof(
    { arbitrary: shaped.map((v) => ({ text: toJson(v) })), weight: 8 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: toJson(v) })), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ bytes: Buffer.from(b) })), weight: 1 },
    { arbitrary: hostileText.map((text) => ({ text })), weight: 1 },
  );

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const storable = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && !v.includes('\u0000');

function assertNoPollution(): void {
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
}

// ---- discovery documents and JWKS ----------------------------------------------------------------

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const REAL_JWKS = [rsa, weak, ec, ed].map((k) => k.publicKey.export({ format: 'jwk' }) as Record<string, unknown>);

/** One member of a JWK changed: to what a provider might send there, or to anything. */
const jwkChange: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('kty'), or(fc.constantFrom('RSA', 'EC', 'OKP', 'oct'))),
  fc.tuple(fc.constant('kid'), or(fc.string({ maxLength: 6 }))),
  fc.tuple(fc.constant('alg'), or(fc.constantFrom('RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'none'))),
  fc.tuple(fc.constant('use'), or(fc.constantFrom('sig', 'enc'))),
  fc.tuple(fc.constant('key_ops'), or(fc.constantFrom(['verify'], ['sign'], 'verify'))),
  fc.tuple(fc.constant('crv'), or(fc.constantFrom('P-256', 'P-384', 'Ed25519', 'Ed448', 'X25519'))),
  fc.tuple(fc.constantFrom('n', 'e', 'x', 'y'), or(fc.constantFrom('AQAB', 'garbage', ''))),
  fc.tuple(fc.constantFrom('d', 'k', 'ext', 'x5c'), leaf),
);

/** A real public key with a few members changed, or none. */
const jwk = fc.tuple(fc.constantFrom(...REAL_JWKS), fc.array(jwkChange, { maxLength: 2 })).map(([real, changes]) => ({ ...real, ...Object.fromEntries(changes) }));

const jwks = fc.oneof({ arbitrary: rec({ keys: or(fc.array(or(jwk), { minLength: 1, maxLength: 4 })) }), weight: 5 }, { arbitrary: leaf, weight: 1 });

/** Counts how often a property reached the outcome that matters, so that a generator gone stale shows. */
function reached(what: string, count: number, minimum = 0.05): void {
  console.log(`parser fuzz: ${what}: ${count} of ${RUNS}`);
  assert.ok(count >= RUNS * minimum, `${what}: only ${count} of ${RUNS} runs`);
}

test('parseJwks and IssuerKeys.prime: any JSON gives a key set, never an exception', () => {
  let imported = 0;
  fc.assert(
    fc.property(jsonText(jwks), (body) => {
      let doc: unknown;
      try {
        doc = JSON.parse(bytesOf(body).toString('utf8'));
      } catch {
        return;
      }
      const { set, skipped } = parseJwks(doc);
      const list = isRecord(doc) && Array.isArray(doc.keys) ? doc.keys : null;
      assert.equal(set.keys.length + skipped.length, list ? list.length : 1);
      for (const key of set.keys) {
        assert.ok(['RSA', 'EC', 'OKP'].includes(key.kty));
        assert.equal(key.key.type, 'public');
        assert.ok(key.kid === undefined || typeof key.kid === 'string');
        assert.ok(key.alg === undefined || typeof key.alg === 'string');
        if (key.kid !== undefined) assert.ok(set.byKid.get(key.kid)?.includes(key));
      }
      for (const s of skipped) assert.equal(typeof s, 'string');
      const cache = new IssuerKeys('https://issuer.example.com/', 'https://issuer.example.com/jwks', false, { warn: () => {} });
      assert.equal(cache.prime(doc), set.keys.length > 0);
      assertNoPollution();
      if (set.keys.length) imported++;
    }),
    params,
  );
  reached('JWKS with a usable key', imported);
});

interface Answer {
  status: number;
  body: Buffer;
}
let server: Server;
let origin = '';
let answers: { document: Answer; jwks: Answer } = { document: { status: 404, body: Buffer.alloc(0) }, jwks: { status: 404, body: Buffer.alloc(0) } };

before(async () => {
  server = createServer((req, res) => {
    const a = req.url?.endsWith('/.well-known/openid-configuration') ? answers.document : req.url === '/jwks' ? answers.jwks : { status: 404, body: Buffer.alloc(0) };
    // No keep-alive: thousands of fetches in a row must not race a socket the server is closing.
    res.writeHead(a.status, { 'content-type': 'application/json', connection: 'close' }).end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Paths that detection reads (Keycloak realms, Okta authorization servers, Cognito pools). */
const issuerPath = fc.constantFrom('', '/', '/realms/acme', '/oauth2/default', '/us-east-1_AbC123', '/tenant/v2.0', '/a%20b');

const discoveryCase = fc.record({
  path: issuerPath,
  issuer: or(fc.constantFrom('given', 'given', 'given', 'slash', 'noslash', 'other')),
  jwksUri: or(fc.oneof({ arbitrary: fc.constant('ours'), weight: 4 }, { arbitrary: fc.constantFrom('http://127.0.0.1:1/jwks', 'not a url', 'ftp://127.0.0.1/jwks', ''), weight: 1 })),
  document: rec({
    id_token_signing_alg_values_supported: or(fc.array(or(fc.constantFrom('RS256', 'ES256', 'EdDSA', 'HS256', 'none')), { maxLength: 4 })),
    authorization_endpoint: or(fc.constantFrom('https://x.example/authorize', 'https://x.amazoncognito.com/oauth2/authorize', 'https://x.example/oauth/authorize')),
    token_endpoint: or(fc.constantFrom('https://x.example/oauth/token', 'https://x.example/realms/acme/protocol/openid-connect/token')),
    end_session_endpoint: or(fc.constant('https://x.example/oidc/logout')),
    introspection_endpoint: or(fc.constant('https://x.example/oauth/token_info')),
    response_modes_supported: or(fc.constant(['okta_post_message'])),
    scopes_supported: or(fc.constant(['openid', 'public_metadata'])),
    claims_supported: or(fc.array(or(fc.constantFrom('sub', 'groups', 'roles')), { maxLength: 3 })),
    mfa_challenge_endpoint: leaf,
    tenant_region_scope: leaf,
  }),
  /** An own __proto__ member naming another issuer and JWKS, which must not be read as the document's. */
  protoMember: fc.boolean(),
  documentStatus: fc.constantFrom(200, 200, 200, 200, 200, 200, 404, 500),
  documentText: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: hostileText, weight: 1 }),
  jwks: jsonText(jwks),
  jwksStatus: fc.constantFrom(200, 200, 200, 200, 200, 200, 301),
});

test('discover: any discovery document and JWKS give a Discovery or an AlterError', async () => {
  let discovered = 0;
  await fc.assert(
    fc.asyncProperty(discoveryCase, async (c) => {
      const given = `${origin}${c.path}`;
      const spelling: Record<string, string> = { given, slash: `${given}/`, noslash: given.replace(/\/+$/, ''), other: 'https://other.example/' };
      const issuer = typeof c.issuer === 'string' && Object.hasOwn(spelling, c.issuer) ? spelling[c.issuer] : c.issuer;
      const document = { ...c.document, issuer, jwks_uri: c.jwksUri === 'ours' ? `${origin}/jwks` : c.jwksUri };
      const documentJson = c.protoMember ? toJson(document).replace(/^\{/, '{"__proto__":{"issuer":"https://other.example/","jwks_uri":"http://127.0.0.1:1/"},') : toJson(document);
      answers = {
        document: { status: c.documentStatus, body: Buffer.from(expand(c.documentText ?? documentJson)) },
        jwks: { status: c.jwksStatus, body: bytesOf(c.jwks) },
      };
      try {
        const { view } = await discover(given, { allowPrivate: true });
        assert.equal(typeof view.issuer, 'string');
        assert.ok(new URL(view.jwks_uri));
        assert.ok(view.keys.length > 0);
        for (const k of view.keys) assert.ok(['RSA', 'EC', 'OKP'].includes(k.kty));
        for (const a of view.signing_algorithms) assert.equal(typeof a, 'string');
        for (const w of view.warnings) assert.ok(typeof w.code === 'string' && typeof w.message === 'string');
        assert.equal(typeof view.claim_mappings.user_id_claim, 'string');
        discovered++;
      } catch (err) {
        assert.ok(err instanceof AlterError, `not an AlterError: ${String(err)}`);
      }
      assertNoPollution();
    }),
    params,
  );
  reached('discoveries that succeed', discovered);
});

// ---- webhook bodies -----------------------------------------------------------------------------

const str = fc.string({ minLength: 1, maxLength: 8 });
/** Event types that a lookup table must not find on Object.prototype. */
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

const genericEvent = rec({
  id: or(str),
  type: or(fc.constantFrom(...adapterFor('authorization_header').expectedEvents, 'user.created', ...PROTOTYPE_NAMES)),
  user_id: or(str),
  group: or(str),
  kind: or(fc.constantFrom('group', 'role')),
  occurred_at: or(dateish),
  email: or(str),
  name: or(str),
});
const genericBody = fc.oneof(rec({ events: or(fc.array(or(genericEvent), { minLength: 1, maxLength: 4 })) }), genericEvent);

const userPath = fc.oneof(
  str.map((s) => `/api/v2/users/${encodeURIComponent(s)}`),
  fc.constantFrom('/api/v2/users/%00', '/api/v2/users/auth0%7C%00', '/api/v2/users/%', '/api/v2/users/%E0%A4%A', '/api/v2/users/a%2Fb/', '/api/v2/users/%20', '/api/v2/users/'),
);
const auth0Data = rec({
  type: or(fc.constantFrom('sdu', 'sapi', 'sapi', 's', ...PROTOTYPE_NAMES)),
  user_id: or(str),
  log_id: or(str),
  date: or(dateish),
  details: or(
    rec({
      request: or(rec({ method: or(fc.constantFrom('delete', 'patch', 'PATCH', 'DELETE', 'get')), path: or(userPath), body: or(rec({ blocked: or(fc.boolean()) })) })),
      response: or(rec({ statusCode: or(fc.constantFrom(200, 204, 204, 400)), body: or(rec({ user_id: or(str) })) })),
    }),
  ),
});
const auth0Event = fc.oneof(rec({ log_id: or(str), data: or(auth0Data) }), auth0Data);
/** The three formats of an Auth0 stream: a JSON array, JSON lines, one object. */
const auth0Body: fc.Arbitrary<Body> = fc.oneof(
  jsonText(fc.array(or(auth0Event), { minLength: 1, maxLength: 4 })),
  fc.array(auth0Event, { minLength: 1, maxLength: 4 }).map((events) => ({ text: events.map(toJson).join('\n') })),
  jsonText(auth0Event),
);

const oktaTarget = rec({ type: or(fc.constantFrom('User', 'User', 'UserGroup', 'UserGroup', 'AppInstance')), id: or(str), alternateId: or(str), displayName: or(str) });
const oktaEvent = rec({
  uuid: or(str),
  eventType: or(fc.constantFrom(...adapterFor('okta_event_hook').expectedEvents, 'user.session.start', ...PROTOTYPE_NAMES)),
  published: or(dateish),
  outcome: or(rec({ result: or(fc.constantFrom('SUCCESS', 'SUCCESS', 'SUCCESS', 'FAILURE')) })),
  target: or(fc.array(or(oktaTarget), { minLength: 1, maxLength: 3 })),
});
const oktaBody = rec({ data: or(rec({ events: or(fc.array(or(oktaEvent), { minLength: 1, maxLength: 3 })) })) });

const clerkData = rec({
  id: or(str),
  email_addresses: or(fc.array(or(rec({ id: or(fc.constantFrom('e1', 'e2')), email_address: or(str) })), { maxLength: 2 })),
  primary_email_address_id: or(fc.constantFrom('e1', 'e2')),
  first_name: or(str),
  last_name: or(str),
  banned: or(fc.boolean()),
  locked: or(fc.boolean()),
  public_user_data: or(rec({ user_id: or(str) })),
  organization: or(rec({ id: or(str), slug: or(str) })),
  slug: or(str),
  updated_at: or(dateish),
});
const clerkBody = rec({ type: or(fc.constantFrom(...adapterFor('svix').expectedEvents, 'session.created', ...PROTOTYPE_NAMES)), timestamp: or(dateish), data: or(clerkData) });

const BODIES: Record<WebhookScheme, fc.Arbitrary<Body>> = {
  svix: jsonText(clerkBody),
  auth0_log_stream: auth0Body,
  okta_event_hook: jsonText(oktaBody),
  authorization_header: jsonText(genericBody),
};

const HEADER_SECRET = 'alter_whk_parser_fuzz_0123456789abcdef';
const SVIX_SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

/** An authentic delivery of `body`, as each scheme authenticates it. */
function deliver(scheme: WebhookScheme, body: Buffer, svixId: string, bearer: boolean): WebhookRequest {
  if (scheme !== 'svix') return { headers: { authorization: bearer ? `Bearer ${HEADER_SECRET}` : HEADER_SECRET }, body };
  const at = new Date();
  return {
    headers: { 'svix-id': svixId, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(SVIX_SECRET).sign(svixId, at, body) },
    body,
  };
}

const LIFECYCLE_TYPES = new Set(['user.deleted', 'user.blocked', 'user.unblocked', 'user.updated', 'membership.added', 'membership.removed', 'group.deleted']);

function assertEvent(e: LifecycleEvent): void {
  assert.ok(LIFECYCLE_TYPES.has(e.type), e.type);
  assert.ok(e.occurredAt === null || (typeof e.occurredAt === 'string' && !Number.isNaN(Date.parse(e.occurredAt))), `occurredAt ${String(e.occurredAt)}`);
  if ('user' in e) {
    assert.ok(e.user.externalIds.length > 0, 'a user event names its user');
    for (const id of e.user.externalIds) assert.ok(storable(id), `external id ${JSON.stringify(id)}`);
  }
  if ('group' in e) {
    assert.ok(e.group.kind === 'group' || e.group.kind === 'role');
    assert.ok(e.group.names.length > 0, 'a group event names its group');
    for (const name of [...e.group.names, ...(e.group.aliases ?? [])]) assert.ok(storable(name), `group name ${JSON.stringify(name)}`);
  }
  if (e.type === 'user.updated') for (const v of [e.email, e.name]) assert.ok(v === null || storable(v));
}

function assertDeliveries(events: ProviderEvent[]): void {
  assert.ok(Array.isArray(events));
  for (const d of events) {
    assert.equal(typeof d.type, 'string');
    assert.equal(typeof d.id, 'string');
    // An event that acts is applied once per id, so it needs one; one that is ignored may have none.
    if (d.events.length) assert.ok(storable(d.id), `delivery id ${JSON.stringify(d.id)}`);
    d.events.forEach(assertEvent);
  }
}

const providerClaims: fc.Arbitrary<ProviderClaims> = rec({
  user_id_claim: fc.constantFrom('sub', 'uid'),
  group_claim: fc.constantFrom(null, 'org_slug', 'org_id', 'o.slg', 'o.id', 'groups', 'https://x.example/orgs'),
  role_claim: fc.constantFrom(null, 'org_role', 'roles'),
}).map((c) => ({ user_id_claim: 'sub', group_claim: null, role_claim: null, ...c }));

for (const scheme of WEBHOOK_SCHEMES) {
  test(`webhook ${scheme}: an authentic body gives well-formed events or MalformedDelivery`, () => {
    const adapter = adapterFor(scheme);
    const secret = scheme === 'svix' ? SVIX_SECRET : HEADER_SECRET;
    let acting = 0;
    fc.assert(
      fc.property(BODIES[scheme], providerClaims, fc.stringMatching(/^[!-~]{1,24}$/), fc.boolean(), (body, provider, svixId, bearer) => {
        const req = deliver(scheme, bytesOf(body), svixId, bearer);
        assert.equal(adapter.authenticate(req, secret), null, 'the delivery is authentic');
        let events: ProviderEvent[];
        try {
          events = adapter.normalise(req, provider);
        } catch (err) {
          assert.ok(err instanceof MalformedDelivery, `not a MalformedDelivery: ${String(err)}`);
          assert.ok(err.message.length > 0);
          return;
        } finally {
          assertNoPollution();
        }
        assertDeliveries(events);
        if (events.some((d) => d.events.length)) acting++;
      }),
      params,
    );
    reached(`${scheme} deliveries with an event that acts`, acting);
  });
}

// ---- claims -------------------------------------------------------------------------------------

/** Keys that paths are built from: dots, slashes and tildes that need escaping, prototype names. */
const KEY = fc.constantFrom('a', 'b', '0', '1', '01', 'a.b', 'x/y', '~', '~1', '', '__proto__', 'constructor', 'https://alter.dev/groups', 'realm_access', 'roles');

const claimValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { arbitrary: shallowLeaf, weight: 30 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: fc.array(tie('value'), { maxLength: 3 }), weight: 10 },
    { arbitrary: fc.dictionary(KEY, tie('value'), { maxKeys: 3 }), weight: 20 },
  ),
})).value;

/** Claims as a token's payload holds them, parsed from JSON (own __proto__ keys included), with that JSON. */
const claimsArb: fc.Arbitrary<{ json: string; deep: boolean; claims: Claims }> = fc
  .dictionary(fc.oneof(KEY, fc.string({ unit: 'binary', maxLength: 8 })), claimValue, { maxKeys: 6 })
  .map((c) => {
    const json = expand(toJson(c));
    return { json, deep: json !== toJson(c), claims: JSON.parse(json) as Claims };
  });

/** A path of `claims` that exists, as [segments, value], or null for an empty object. */
function somePath(claims: unknown, pick: number[]): [string[], unknown] {
  const segments: string[] = [];
  let node = claims;
  for (const p of pick) {
    const keys = Array.isArray(node) ? node.map((_, i) => String(i)) : isRecord(node) ? Object.keys(node) : [];
    if (!keys.length) break;
    const key = keys[p % keys.length]!;
    segments.push(key);
    node = (node as Record<string, unknown>)[key];
  }
  return [segments, node];
}

const pointer = (segments: string[]): string => `/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

const claimNameArb = fc.oneof(
  KEY,
  fc.array(KEY, { minLength: 1, maxLength: 4 }).map((ks) => ks.join('.')),
  fc.array(KEY, { minLength: 1, maxLength: 4 }).map(pointer),
  fc.constantFrom('/', '//', '.', '..', 'a.', '.a', 'a..b', 'a.00', 'a.-1', 'a.length', '/a/1e1', '__proto__.polluted', '/__proto__/polluted', 'toString', 'hasOwnProperty', 'sub\u0000'),
  fc.string({ unit: 'binary', maxLength: 16 }),
);

test('claims: readClaim, claimList and stringClaim read own members only, and never throw', () => {
  fc.assert(
    fc.property(claimsArb, claimNameArb, fc.array(fc.nat(), { maxLength: 4 }), ({ json, deep, claims }, name, pick) => {
      const value = readClaim(claims, name);
      if (Object.hasOwn(claims, name)) assert.equal(value, claims[name], 'a literal name wins');
      assert.notEqual(typeof value, 'function', 'nothing inherited');
      assert.ok(value !== Object.prototype && value !== Array.prototype, 'nothing inherited');

      // Any existing path is found as a JSON pointer, and as a dotted path when no key has a dot.
      const [segments, expected] = somePath(claims, pick);
      if (segments.length && !Object.hasOwn(claims, pointer(segments))) assert.equal(readClaim(claims, pointer(segments)), expected, `pointer ${pointer(segments)}`);
      const dotted = segments.join('.');
      if (segments.length > 1 && segments.every((s) => s && !s.includes('.')) && !dotted.startsWith('/') && !Object.hasOwn(claims, dotted)) {
        assert.equal(readClaim(claims, dotted), expected, `path ${dotted}`);
      }

      const notes: string[] = [];
      const list = claimList(claims, name, (message, details) => {
        assert.equal(typeof message, 'string');
        assert.ok(isRecord(details));
        notes.push(message);
      });
      assert.equal(new Set(list).size, list.length, 'no duplicates');
      for (const item of list) {
        assert.ok(storable(item), `list item ${JSON.stringify(item)}`);
        assert.ok(typeof value === 'string' ? value.split(/\s+/).includes(item) : Array.isArray(value) && value.includes(item), 'an item comes from the claim');
      }

      const s = stringClaim(claims, name);
      assert.ok(s === null || (storable(s) && Object.hasOwn(claims, name) && claims[name] === s));
      // (JSON.stringify cannot serialise the deeply nested ones.)
      if (!deep) assert.equal(JSON.stringify(claims), json, 'the claims are not changed');
      assertNoPollution();
    }),
    { ...params, numRuns: RUNS * 2 },
  );
});

// ---- regressions: what the properties above found -----------------------------------------------

test('regression: a timestamp past the range of Date is no date, not a RangeError', () => {
  // toIso called toISOString on an Invalid Date: 1e20 seconds threw out of every normaliser.
  const bodies: Array<[WebhookScheme, unknown]> = [
    ['svix', { type: 'user.deleted', timestamp: 1e20, data: { id: 'user_1' } }],
    ['auth0_log_stream', [{ log_id: 'l1', data: { type: 'sdu', user_id: 'auth0|1', date: 1e20 } }]],
    ['okta_event_hook', { data: { events: [{ uuid: 'u1', eventType: 'user.lifecycle.suspend', published: -1e20, target: [{ type: 'User', id: '00u1' }] }] } }],
  ];
  for (const [scheme, body] of bodies) {
    const events = adapterFor(scheme).normalise(deliver(scheme, Buffer.from(toJson(body)), 'msg_1', false), { user_id_claim: 'sub', group_claim: null, role_claim: null });
    assert.equal(events[0]?.events[0]?.occurredAt, null, scheme);
  }
  const generic = { events: [{ id: 'e1', type: 'user.deleted', user_id: 'u1', occurred_at: 1e20 }] };
  assert.throws(() => adapterFor('authorization_header').normalise(deliver('authorization_header', Buffer.from(toJson(generic)), '', false), { user_id_claim: 'sub', group_claim: null, role_claim: null }), MalformedDelivery);
});

test('regression: an Auth0 Management API path holding %00 names no user', () => {
  // decodeURIComponent turned it into a NUL, which became the external id of a deleted user.
  const body = [{ log_id: 'l1', data: { type: 'sapi', details: { request: { method: 'delete', path: '/api/v2/users/%00' }, response: { statusCode: 204 } } } }];
  const events = adapterFor('auth0_log_stream').normalise(deliver('auth0_log_stream', Buffer.from(toJson(body)), '', false), { user_id_claim: 'sub', group_claim: null, role_claim: null });
  assert.deepEqual(events[0]?.events, []);
});

test('regression: an Okta eventType named like a member of Object.prototype is ignored', () => {
  // USER_EVENTS["constructor"] found Object, which became the type of a lifecycle event.
  for (const eventType of PROTOTYPE_NAMES) {
    const body = { data: { events: [{ uuid: 'u1', eventType, target: [{ type: 'User', id: '00u1' }, { type: 'UserGroup', id: '00g1' }] }] } };
    const events = adapterFor('okta_event_hook').normalise(deliver('okta_event_hook', Buffer.from(toJson(body)), '', false), { user_id_claim: 'sub', group_claim: null, role_claim: null });
    assert.deepEqual(events[0]?.events, [], eventType);
  }
});

test('regression: a JWK member nested too deeply to quote is skipped, not thrown', async () => {
  // The skip reasons quoted kty and use with JSON.stringify, which threw a RangeError past a few thousand levels.
  const [rsaJwk] = REAL_JWKS;
  const deepJwks = `{"keys":[{"kty":${toJson(DEEP)}},${toJson({ ...rsaJwk, use: DEEP })}]}`;
  const { set, skipped } = parseJwks(JSON.parse(expand(deepJwks)));
  assert.equal(set.keys.length, 0);
  assert.equal(skipped.length, 2);
  answers = {
    document: { status: 200, body: Buffer.from(toJson({ issuer: origin, jwks_uri: `${origin}/jwks` })) },
    jwks: { status: 200, body: Buffer.from(expand(deepJwks)) },
  };
  await assert.rejects(discover(origin, { allowPrivate: true }), (err) => err instanceof AlterError && /no usable signing key/.test(err.message));
});

test('discover ignores a key that publishes its private part, as the verifier does', async () => {
  const leaked = rsa.privateKey.export({ format: 'jwk' });
  answers = {
    document: { status: 200, body: Buffer.from(toJson({ issuer: origin, jwks_uri: `${origin}/jwks` })) },
    jwks: { status: 200, body: Buffer.from(toJson({ keys: [{ ...leaked, kid: 'leaked' }] })) },
  };
  await assert.rejects(discover(origin, { allowPrivate: true }), (err) => err instanceof AlterError && /private key material/.test(err.message));
  answers.jwks.body = Buffer.from(toJson({ keys: [{ ...leaked, kid: 'leaked' }, { ...REAL_JWKS[2], kid: 'ec' }] }));
  const { view } = await discover(origin, { allowPrivate: true });
  assert.deepEqual(view.keys.map((k) => k.kid), ['ec']);
  assert.ok(view.warnings.some((w) => w.code === 'jwks_keys_ignored' && /private key material/.test(w.message)));
});
