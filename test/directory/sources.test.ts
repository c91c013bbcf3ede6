// The directory sources against loopback doubles of the Auth0, Clerk and Okta management APIs:
// complete snapshots through every kind of paging (Auth0's 1,000-result cap split by created_at,
// checkpoints, offsets, Link headers), both Okta authentications, status and naming rules, rate
// limits waited out, failures retried and then refused as a whole (no partial snapshot), bad and
// oversized answers, credentials checks, and the credentials parser's refusals.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { AlterError } from '../../src/errors.js';
import { createDirectorySource, parseCredentials, type SourceProvider } from '../../src/directory/sources/index.js';
import { rateLimitWaitMs } from '../../src/directory/sources/http.js';
import { SourceError, type DirectorySource, type Snapshot, type SyncProgress } from '../../src/directory/sources/source.js';
import { Auth0Double } from '../helpers/directory-doubles/auth0.js';
import { ClerkDouble } from '../helpers/directory-doubles/clerk.js';
import { OktaDouble, type OktaStatus } from '../helpers/directory-doubles/okta.js';

after(cleanupAll);

function source(provider: SourceProvider, raw: unknown, allowPrivate = true): DirectorySource {
  return createDirectorySource(provider, parseCredentials(provider.provider_type, raw), { allowPrivate });
}

async function read(src: DirectorySource): Promise<{ snapshot: Snapshot; progress: SyncProgress[] }> {
  const progress: SyncProgress[] = [];
  const snapshot = await src.read((p) => progress.push(p));
  return { snapshot, progress };
}

async function readFails(src: DirectorySource, kind: string, secrets: string[] = []): Promise<SourceError> {
  const err: unknown = await src.read(() => undefined).then(
    () => assert.fail('the read should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SourceError, `expected a SourceError, got ${String(err)}`);
  assert.equal(err.kind, kind, err.message);
  for (const s of secrets) assert.ok(!err.message.includes(s), `the message carries a secret: ${err.message}`);
  return err;
}

/** Order-free view of a snapshot, for comparing with what the double holds. */
function normal(s: Snapshot): Snapshot {
  const by = (f: (x: any) => string) => (a: any, b: any) => f(a).localeCompare(f(b));
  return {
    users: [...s.users].sort(by((u) => u.externalId)),
    groups: [...s.groups].sort(by((g) => `${g.kind} ${g.name}`)),
    memberships: [...s.memberships].sort(by((m) => `${m.kind} ${m.name} ${m.externalId}`)),
    kinds: [...s.kinds].sort(),
  };
}

function phases(progress: SyncProgress[]): string[] {
  return progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
}

// ---------------------------------------------------------------- Auth0

function auth0Expected(d: Auth0Double, orgNaming: 'name' | 'id' | null): Snapshot {
  const orgs = orgNaming ? d.organizations : [];
  return normal({
    users: d.users.map((u) => ({ externalId: u.user_id, email: u.email, name: u.name, status: u.blocked ? 'blocked' : 'active' })),
    groups: [...d.roles.map((r) => ({ kind: 'role' as const, name: r.name })), ...orgs.map((o) => ({ kind: 'group' as const, name: o[orgNaming!] }))],
    memberships: [
      ...d.roles.flatMap((r) => [...r.members].map((id) => ({ externalId: id, kind: 'role' as const, name: r.name }))),
      ...orgs.flatMap((o) => [...o.members].map((id) => ({ externalId: id, kind: 'group' as const, name: o[orgNaming!] }))),
    ],
    kinds: orgNaming ? ['role', 'group'] : ['role'],
  });
}

test('Auth0: 1,250 users are read by splitting created_at ranges under the 1,000 cap; roles and organizations across checkpoint pages', async () => {
  const auth0 = await Auth0Double.start({ users: 1250, roles: 4, organizations: 3 });
  auth0.addRole('unused');
  const newcomer = auth0.addUser();
  const { snapshot, progress } = await read(source(auth0.provider('org_name'), auth0.credentials));
  assert.deepEqual(normal(snapshot), auth0Expected(auth0, 'name'));
  assert.equal(snapshot.users.length, 1251);
  assert.ok(snapshot.users.some((u) => u.externalId === newcomer.user_id), 'the newest user is inside the last range');
  assert.ok(snapshot.users.some((u) => u.status === 'blocked'));
  assert.ok(snapshot.groups.some((g) => g.kind === 'role' && g.name === 'unused'), 'a role without members is still a group');
  // The split happened, and no query went past Auth0's cap (the double answers 400 there).
  assert.ok(auth0.count('q=created_at:[') >= 2);
  assert.equal(auth0.requests.filter((r) => r.status !== 200).length, 0);
  // Role "admin" has ~500 members: five checkpoint pages.
  assert.ok(auth0.roles[0]!.members.size > 300);
  assert.ok(auth0.count(`/api/v2/roles/${auth0.roles[0]!.id}/users?take=100&from=`) >= 3);
  assert.equal(auth0.tokensIssued, 1);
  assert.deepEqual(phases(progress), ['users', 'groups', 'memberships']);
  assert.deepEqual(progress.filter((p) => p.phase === 'users').at(-1), { phase: 'users', done: 1251, total: 1251 });
});

test('Auth0: organizations named by id for org_id, left out without an org claim; an expired token is fetched again', async () => {
  const auth0 = await Auth0Double.start({ users: 40, roles: 2, organizations: 2 });
  const byId = source(auth0.provider('org_id'), auth0.credentials);
  assert.deepEqual(normal((await read(byId)).snapshot), auth0Expected(auth0, 'id'));
  auth0.expireTokens();
  auth0.removeUser(auth0.users[0]!.user_id);
  auth0.updateUser(auth0.users[1]!.user_id, { blocked: true, email: 'changed@example.com' });
  assert.deepEqual(normal((await read(byId)).snapshot), auth0Expected(auth0, 'id'));
  assert.equal(auth0.tokensIssued, 2);

  const before = auth0.count('/api/v2/organizations');
  const { snapshot } = await read(source(auth0.provider('https://acme.example/groups'), auth0.credentials));
  assert.deepEqual(normal(snapshot), auth0Expected(auth0, null));
  assert.equal(auth0.count('/api/v2/organizations'), before);
});

// ---------------------------------------------------------------- Clerk

function clerkExpected(d: ClerkDouble, byId: boolean): Snapshot {
  const name = (o: (typeof d.organizations)[number]): string => (byId ? o.id : (o.slug ?? o.id));
  const roles = new Set(d.organizations.flatMap((o) => [...o.members.values()]));
  return normal({
    users: d.users.map((u) => ({
      externalId: u.id,
      email: u.email_addresses.find((e) => e.id === u.primary_email_address_id)?.email_address ?? null,
      name: [u.first_name, u.last_name].filter(Boolean).join(' ') || null,
      status: u.banned || u.locked ? 'blocked' : 'active',
    })),
    groups: [...d.organizations.map((o) => ({ kind: 'group' as const, name: name(o) })), ...[...roles].map((r) => ({ kind: 'role' as const, name: r }))],
    memberships: d.organizations.flatMap((o) => [...o.members].flatMap(([id, role]) => [
      { externalId: id, kind: 'group' as const, name: name(o) },
      { externalId: id, kind: 'role' as const, name: role },
    ])),
    kinds: ['group', 'role'],
  });
}

test('Clerk: 650 users over offset pages, organizations named by slug or id, membership roles as roles', async () => {
  const clerk = await ClerkDouble.start({ users: 650, organizations: 4 });
  clerk.addOrganization('Slugless', null);
  const bySlug = await read(source(clerk.provider('org_slug'), clerk.credentials));
  assert.deepEqual(normal(bySlug.snapshot), clerkExpected(clerk, false));
  assert.ok(bySlug.snapshot.groups.some((g) => g.name === 'team-0'));
  assert.ok(bySlug.snapshot.users.some((u) => u.status === 'blocked'));
  // The primary address, not the first one listed.
  assert.equal(bySlug.snapshot.users.find((u) => u.externalId === clerk.users[0]!.id)?.email, 'user1@example.com');
  assert.equal(clerk.count('/v1/users?limit=500&offset=0&order_by=-created_at'), 1);
  assert.equal(clerk.count('/v1/users?limit=500&offset=500&order_by=-created_at'), 1);
  assert.deepEqual(bySlug.progress.filter((p) => p.phase === 'users').at(-1), { phase: 'users', done: 650, total: 650 });

  const byId = await read(source(clerk.provider('org_id'), clerk.credentials));
  assert.deepEqual(normal(byId.snapshot), clerkExpected(clerk, true));
});

// ---------------------------------------------------------------- Okta

const OKTA_STATUS: Record<string, string> = { SUSPENDED: 'blocked', LOCKED_OUT: 'blocked', DEPROVISIONED: 'deprovisioned' };

function oktaExpected(d: OktaDouble): Snapshot {
  const members = (g: (typeof d.groups)[number]) => d.users.filter((u) => (g.type === 'BUILT_IN' ? u.status !== 'DEPROVISIONED' : g.members.has(u.id)));
  return normal({
    users: d.users.map((u) => ({ externalId: u.id, email: u.profile.email, name: [u.profile.firstName, u.profile.lastName].filter(Boolean).join(' ') || null, status: (OKTA_STATUS[u.status] ?? 'active') as any })),
    groups: d.groups.map((g) => ({ kind: 'group' as const, name: g.profile.name })),
    memberships: d.groups.flatMap((g) => members(g).map((u) => ({ externalId: u.id, kind: 'group' as const, name: g.profile.name }))),
    kinds: ['group'],
  });
}

test('Okta: 260 users (deprovisioned ones by search), groups and members across Link pages, with SSWS and with private_key_jwt', async () => {
  const okta = await OktaDouble.start({ users: 260, groups: 3 });
  for (let g = 0; g < 200; g++) okta.addGroup(`Team ${g}`);
  const { snapshot, progress } = await read(source(okta.provider(), okta.sswsCredentials));
  assert.deepEqual(normal(snapshot), oktaExpected(okta));
  const status = (s: OktaStatus) => snapshot.users.find((u) => u.externalId === okta.users.find((x) => x.status === s)!.id)?.status;
  assert.equal(status('SUSPENDED'), 'blocked');
  assert.equal(status('LOCKED_OUT'), 'blocked');
  assert.equal(status('DEPROVISIONED'), 'deprovisioned');
  assert.equal(status('PASSWORD_EXPIRED'), 'active');
  assert.equal(status('STAGED'), 'active');
  assert.equal(okta.count('/api/v1/users?limit=200&after='), 1, 'the users list has two pages');
  assert.equal(okta.count('search=status eq "DEPROVISIONED"'), 1);
  assert.equal(okta.count('/api/v1/groups?limit=200&after='), 1, 'the groups list has two pages');
  assert.equal(okta.count(`/api/v1/groups/${okta.groups[0]!.id}/users?limit=200&after=`), 1, 'Everyone has two pages of members');
  assert.equal(progress.filter((p) => p.phase === 'users').at(-1)?.done, 260);

  for (const alg of ['RS256', 'ES256'] as const) {
    const app = await okta.serviceApp({ alg });
    okta.updateUser(okta.users[5]!.id, { status: 'SUSPENDED', profile: { lastName: alg } });
    assert.deepEqual(normal((await read(source(okta.provider(), app))).snapshot), oktaExpected(okta), alg);
  }
});

test('Okta: a Link to another origin is not followed', async () => {
  const okta = await OktaDouble.start({ users: 230, groups: 0 });
  // Same server, other origin: the Link headers name 127.0.0.1, the source was given localhost.
  const err = await readFails(source(okta.provider(), { ...okta.sswsCredentials, api_url: okta.origin.replace('127.0.0.1', 'localhost') }), 'bad_answer');
  assert.match(err.message, /not followed/);
});

// ---------------------------------------------------------------- rate limits, failures, bad answers

test('rate limits are waited out as each API announces them (Retry-After, x-ratelimit-reset, X-Rate-Limit-Reset)', async () => {
  const [clerk, auth0, okta] = await Promise.all([ClerkDouble.start({ users: 20 }), Auth0Double.start({ users: 20 }), OktaDouble.start({ users: 20 })]);
  clerk.rateLimitNext(3);
  auth0.rateLimitNext(1);
  okta.rateLimitNext(1);
  const reads = await Promise.all([
    read(source(clerk.provider(), clerk.credentials)),
    read(source(auth0.provider(), auth0.credentials)),
    read(source(okta.provider(), okta.sswsCredentials)),
  ]);
  assert.deepEqual(normal(reads[0].snapshot), clerkExpected(clerk, false));
  assert.deepEqual(normal(reads[1].snapshot), auth0Expected(auth0, 'name'));
  assert.deepEqual(normal(reads[2].snapshot), oktaExpected(okta));
  for (const [double, storm] of [[clerk, 3], [auth0, 1], [okta, 1]] as const) {
    assert.equal(double.requests.filter((r) => r.status === 429).length, storm);
    assert.equal(double.earlyRequests, 0, 'no request came before the announced reset');
  }
  // The first request was asked again once per 429.
  assert.equal(clerk.count('/v1/users/count'), 4);
});

test('the wait a 429 asks for: Retry-After in seconds or as a date, else the reset header; capped at 60 s', () => {
  const now = Date.parse('2025-01-01T00:00:00.000Z');
  assert.equal(rateLimitWaitMs({ 'retry-after': '3' }, null, now), 3000);
  assert.equal(rateLimitWaitMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }, null, now), 5000);
  assert.equal(rateLimitWaitMs({ 'x-rate-limit-reset': String(now / 1000 + 2) }, 'x-rate-limit-reset', now), 2000);
  assert.equal(rateLimitWaitMs({ 'x-ratelimit-reset': String(now / 1000 + 3600) }, 'x-ratelimit-reset', now), 60_000);
  assert.equal(rateLimitWaitMs({ 'retry-after': '86400' }, null, now), 60_000);
  assert.equal(rateLimitWaitMs({ 'x-rate-limit-reset': String(now / 1000 - 10) }, 'x-rate-limit-reset', now), 250);
  assert.equal(rateLimitWaitMs({}, 'x-rate-limit-reset', now), 1000);
});

test('a page that keeps failing fails the read after retries; one that recovers does not', async () => {
  const okta = await OktaDouble.start({ users: 230, groups: 1 });
  okta.failPath('/api/v1/groups', 500, 2);
  await read(source(okta.provider(), okta.sswsCredentials));
  assert.equal(okta.count('/api/v1/groups?limit=200'), 3);
  assert.equal(okta.perPath().get('/api/v1/groups'), 3);

  okta.failPath('after=', 503);
  const before = okta.count('/api/v1/users?limit=200&after=');
  const err = await readFails(source(okta.provider(), okta.sswsCredentials), 'unreachable', [okta.apiToken]);
  assert.match(err.message, /HTTP 503 to GET \/api\/v1\/users \(4 attempts\)/);
  assert.equal(okta.count('/api/v1/users?limit=200&after=') - before, 4);

  const gone = await ClerkDouble.start();
  await gone.close();
  const closed = await readFails(source(gone.provider(), gone.credentials), 'unreachable', [gone.secretKey]);
  assert.match(closed.message, /could not connect/);
});

test('garbage, wrong shapes, cut-off JSON and oversized pages are bad answers', async () => {
  const clerk = await ClerkDouble.start({ users: 5 });
  clerk.garbage('/v1/organizations', 'html');
  assert.match((await readFails(source(clerk.provider(), clerk.credentials), 'bad_answer')).message, /not JSON \(text\/html\)/);

  const okta = await OktaDouble.start({ users: 5 });
  okta.garbage('/api/v1/groups?', 'shape');
  assert.match((await readFails(source(okta.provider(), okta.sswsCredentials), 'bad_answer')).message, /unexpected shape/);
  okta.clearFaults();
  okta.oversize('/api/v1/users?limit=200');
  assert.match((await readFails(source(okta.provider(), okta.sswsCredentials), 'bad_answer')).message, /larger than 8 MiB/);

  const auth0 = await Auth0Double.start({ users: 5 });
  auth0.garbage('/users?take', 'truncated');
  await readFails(source(auth0.provider(), auth0.credentials), 'bad_answer', [auth0.clientSecret]);
});

test('credentials refused during a read stop it', async () => {
  const okta = await OktaDouble.start({ users: 5 });
  okta.failPath('/api/v1/groups/', 403);
  await readFails(source(okta.provider(), okta.sswsCredentials), 'credentials_refused', [okta.apiToken]);

  const clerk = await ClerkDouble.start({ users: 5 });
  const src = source(clerk.provider(), clerk.credentials);
  const old = clerk.secretKey;
  clerk.secretKey = 'sk_test_rolled';
  await readFails(src, 'credentials_refused', [old]);

  // An access token refused mid-read is fetched again once; refused again, the read stops.
  const auth0 = await Auth0Double.start({ users: 5 });
  const app = source(auth0.provider(), auth0.credentials);
  auth0.failPath('/api/v2/roles?', 401);
  await readFails(app, 'credentials_refused');
  assert.equal(auth0.tokensIssued, 2);
  auth0.clearFaults();
  auth0.clientSecret = 'rotated';
  auth0.expireTokens();
  const err = await readFails(app, 'credentials_refused', [auth0.credentials.client_secret]);
  assert.match(err.message, /access_denied|Unauthorized/);
});

test('a cancelled read stops waiting at once', async () => {
  const clerk = await ClerkDouble.start({ users: 5 });
  clerk.rateLimitNext(1);
  const abort = new AbortController();
  const started = Date.now();
  const reading = source(clerk.provider(), clerk.credentials).read(() => undefined, abort.signal);
  setTimeout(() => abort.abort(), 100);
  await assert.rejects(reading, (e: unknown) => e instanceof SourceError && e.kind === 'aborted');
  assert.ok(Date.now() - started < 800, 'did not wait out the rate limit');
});

// ---------------------------------------------------------------- credentials checks

test('credentials checks: verified, refused, unverified', async () => {
  const [auth0, clerk, okta] = await Promise.all([Auth0Double.start({ users: 1 }), ClerkDouble.start({ users: 1 }), OktaDouble.start({ users: 1 })]);
  const check = (provider: SourceProvider, raw: unknown, allowPrivate = true) => source(provider, raw, allowPrivate).checkCredentials();
  const refused = async (provider: SourceProvider, raw: Record<string, unknown>, secret: string) => {
    const result = await check(provider, raw);
    assert.equal(result.outcome, 'refused', JSON.stringify(result));
    assert.ok(!JSON.stringify(result).includes(secret));
  };

  assert.deepEqual(await check(auth0.provider(), auth0.credentials), { outcome: 'verified' });
  await refused(auth0.provider(), { ...auth0.credentials, client_secret: 'wrong-secret' }, 'wrong-secret');
  await refused({ ...auth0.provider(), issuer: 'https://other.eu.auth0.com/' }, auth0.credentials, auth0.clientSecret);
  auth0.failPath('/oauth/token', 503, 1);
  const down = await check(auth0.provider(), auth0.credentials);
  assert.equal(down.outcome, 'unverified');
  assert.match((down as { reason: string }).reason, /HTTP 503/);

  assert.deepEqual(await check(clerk.provider(), clerk.credentials), { outcome: 'verified' });
  await refused(clerk.provider(), { ...clerk.credentials, secret_key: 'sk_test_nope' }, 'sk_test_nope');
  clerk.rateLimitNext(1);
  assert.equal((await check(clerk.provider(), clerk.credentials)).outcome, 'unverified');

  assert.deepEqual(await check(okta.provider(), okta.sswsCredentials), { outcome: 'verified' });
  await refused(okta.provider(), { ...okta.sswsCredentials, api_token: '00wrongtoken' }, '00wrongtoken');
  const app = await okta.serviceApp({ alg: 'ES256' });
  const other = await okta.serviceApp();
  assert.deepEqual(await check(okta.provider(), app), { outcome: 'verified' });
  await refused(okta.provider(), { ...app, private_key_jwk: other.private_key_jwk }, String(other.private_key_jwk.d));
  const ungranted = await okta.serviceApp({ scopes: ['okta.users.read'] });
  const noScope = await check(okta.provider(), ungranted);
  assert.equal(noScope.outcome, 'refused');
  assert.match((noScope as { reason: string }).reason, /okta\.groups\.read/);

  // Nothing listening: inconclusive. Plain http without allowPrivate: can never be fetched.
  const gone = await ClerkDouble.start();
  await gone.close();
  assert.equal((await check(gone.provider(), gone.credentials)).outcome, 'unverified');
  assert.equal((await check(clerk.provider(), clerk.credentials, false)).outcome, 'refused');
});

// ---------------------------------------------------------------- parseCredentials

test('parseCredentials names the key to fix and never repeats a value', () => {
  const refuses = (type: string, raw: unknown, field: string | null, pattern: RegExp, secret?: string) => {
    assert.throws(
      () => parseCredentials(type, raw),
      (e: unknown) => {
        assert.ok(e instanceof AlterError);
        assert.equal(e.code, 'invalid_request');
        assert.equal(e.details.field, field);
        assert.match(e.message, pattern);
        if (secret) assert.ok(!e.message.includes(secret));
        return true;
      },
    );
  };
  refuses('auth0', { client_id: 'abc' }, 'client_secret', /^credentials\.client_secret: required/);
  refuses('auth0', { client_id: '  ', client_secret: 'xyz-secret' }, 'client_id', /^credentials\.client_id: required/, 'xyz-secret');
  refuses('auth0', { client_id: 'a', client_secret: 'b', domain: 'x' }, 'domain', /^credentials\.domain: unknown key/);
  refuses('auth0', 'client_id=a', 'credentials', /must be a JSON object/);
  refuses('auth0', { client_id: 'a', client_secret: 'b', api_url: 'ftp://x.example' }, 'api_url', /http\(s\) URL/);
  refuses('clerk', { secret_key: 'pk_live_abcdef' }, 'secret_key', /starts with sk_/, 'pk_live_abcdef');
  refuses('clerk', {}, 'secret_key', /required/);
  refuses('okta', {}, 'api_token', /required/);
  refuses('okta', { api_token: 'tok-secret', client_id: 'x' }, 'client_id', /unknown key/, 'tok-secret');
  refuses('okta', { client_id: '0oa1' }, 'private_key_jwk', /JWK/);
  refuses('okta', { client_id: '0oa1', private_key_jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }, 'private_key_jwk', /private key/);
  refuses('okta', { client_id: '0oa1', private_key_jwk: { kty: 'OKP', crv: 'Ed25519', x: 'a', d: 'secret-d' } }, 'private_key_jwk', /RSA or P-256/, 'secret-d');
  refuses('custom_oidc', { client_id: 'a' }, null, /Auth0, Clerk or Okta.*SCIM or webhooks/);

  assert.deepEqual(parseCredentials('clerk', { secret_key: ' sk_live_x\n', api_url: 'http://127.0.0.1:1/' }), { provider_type: 'clerk', secret_key: 'sk_live_x', api_url: 'http://127.0.0.1:1' });
  assert.throws(() => createDirectorySource({ provider_type: 'okta', issuer: 'https://a.okta.com', group_claim: null, role_claim: null }, parseCredentials('clerk', { secret_key: 'sk_x' }), { allowPrivate: false }), AlterError);
});
