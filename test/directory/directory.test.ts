// The directory as operators and app backends use it: users known from tokens and webhooks with
// their sources, memberships and history; the rule that a token removes only what tokens added; an
// operator's block that no automatic source undoes and a deprovisioning that is final; lists with
// filters and cursors; the runtime routes; every bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { cli } from '../helpers/cli.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;

before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  issuer = await startFixtureIssuer();
});

interface World {
  app: ResolveApp;
  token(sub: string, claims?: Record<string, unknown>): Promise<string>;
  resolve(sub: string, claims?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  deliver(event: Record<string, unknown>): Promise<void>;
  alter(...args: string[]): ReturnType<typeof cli>;
}

let events = 0;

async function world(): Promise<World> {
  const app = await createResolveApp(server, { issuer_url: issuer.issuer, group_claim: 'groups', role_claim: 'roles' });
  const enabled = await server.api('POST', `/v1/apps/${app.appId}/identity-providers/${app.providerId}/webhook/enable`, {});
  assert.equal(enabled.status, 200);
  const token = (sub: string, claims: Record<string, unknown> = {}): Promise<string> => issuer.mint({ sub, jti: `${++events}`, ...claims });
  return {
    app,
    token,
    resolve: async (sub, claims) => app.resolve({ token: await token(sub, claims) }),
    async deliver(event) {
      const res = await fetch(enabled.body.url, {
        method: 'POST',
        headers: { authorization: enabled.body.secret, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ id: `evt-${++events}`, ...event }] }),
      });
      assert.ok(res.status < 300, `webhook answered ${res.status}: ${await res.text()}`);
    },
    alter: (...args) => cli(args, { env: { ...server.cliEnv, ALTER_APP_ID: app.appId } }),
  };
}

async function userByExternalId(w: World, externalId: string): Promise<any> {
  const res = await server.api('GET', `/v1/apps/${w.app.appId}/users?external_id=${encodeURIComponent(externalId)}`);
  assert.equal(res.status, 200);
  const id = res.body.items[0]?.id;
  assert.ok(id, `no user ${externalId}`);
  return (await server.api('GET', `/v1/apps/${w.app.appId}/users/${id}`)).body;
}

test('a user from tokens and webhooks: sources, groups, memberships with their source, and the lifecycle log', async () => {
  const w = await world();
  assert.equal((await w.resolve('alice', { email: 'alice@example.com', name: 'Alice', groups: ['eng', 'ops'], roles: ['admin'] })).status, 200);
  await w.deliver({ type: 'membership.added', user_id: 'alice', group: 'oncall' });

  const listed = await w.alter('users', 'list', '--output', 'json');
  assert.equal(listed.code, 0, listed.stderr);
  const [alice] = JSON.parse(listed.stdout);
  assert.equal(alice.external_id, 'alice');
  assert.deepEqual(alice.groups, ['eng', 'oncall', 'ops']);
  assert.deepEqual(alice.roles, ['admin']);
  assert.deepEqual(alice.sources, ['token', 'webhook']);
  assert.ok(alice.last_seen_at);

  const shown = await w.alter('users', 'show', '--external-id', 'alice');
  assert.equal(shown.code, 0, shown.stderr);
  const detail = shown.json<any>();
  assert.deepEqual(
    detail.memberships.map((m: any) => `${m.kind}:${m.name}:${m.source}`),
    ['group:eng:token', 'group:oncall:webhook', 'group:ops:token', 'role:admin:token'],
  );
  assert.deepEqual(
    detail.events.map((e: any) => `${e.source}:${e.action}`),
    ['webhook:membership_added', 'token:membership_added', 'token:membership_added', 'token:membership_added', 'token:created'],
  );
  assert.ok(detail.memberships.every((m: any) => typeof m.since === 'string'));

  // A later token without "ops" and without "oncall": it removes what tokens added (ops), never
  // what a webhook stated (oncall).
  const next = await w.resolve('alice', { groups: ['eng'], roles: ['admin'] });
  assert.equal(next.status, 200);
  assert.deepEqual(next.body.groups, ['eng', 'oncall']);
  const after = await userByExternalId(w, 'alice');
  assert.equal(after.events[0].action, 'membership_removed');
  assert.deepEqual(after.events[0].detail, { kind: 'group', name: 'ops' });
});

test("an operator's block holds on resolve at once, no webhook undoes it; unblock by an operator does", async () => {
  const w = await world();
  assert.equal((await w.resolve('bob')).status, 200);
  const id = (await userByExternalId(w, 'bob')).id;

  const blocked = await w.alter('users', 'block', id, '--yes');
  assert.equal(blocked.code, 0, blocked.stderr);
  assert.equal(blocked.json<any>().status, 'blocked');
  const refused = await w.resolve('bob');
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.reason, 'deprovisioned');

  // The provider says "unblocked", even with an event time after the operator's block: still blocked.
  await w.deliver({ type: 'user.unblocked', user_id: 'bob', occurred_at: new Date(Date.now() + 60_000).toISOString() });
  assert.equal((await w.resolve('bob')).status, 401);

  const unblocked = await w.alter('users', 'unblock', id);
  assert.equal(unblocked.code, 0, unblocked.stderr);
  assert.equal(unblocked.json<any>().status, 'active');
  assert.equal((await w.resolve('bob')).status, 200);

  const detail = await userByExternalId(w, 'bob');
  assert.deepEqual(detail.sources, ['token', 'webhook', 'admin']);
  assert.deepEqual(detail.events.slice(0, 2).map((e: any) => `${e.source}:${e.action}`), ['admin:unblocked', 'admin:blocked']);
  const audit = await server.api('GET', `/v1/audit?app_id=${w.app.appId}`);
  const actions = audit.body.items.filter((e: any) => e.target === id && e.actor.startsWith('token:')).map((e: any) => `${e.actor.split(':')[0]}:${e.action}`);
  assert.deepEqual(actions, ['token:user.unblock', 'token:user.block'], 'each operator action is audited with the token that did it');
});

test("an operator's deprovisioning is final; the provider's is the provider's to undo", async () => {
  const w = await world();
  assert.equal((await w.resolve('carol')).status, 200);
  assert.equal((await w.resolve('dave')).status, 200);
  const carol = (await userByExternalId(w, 'carol')).id;
  const dave = (await userByExternalId(w, 'dave')).id;

  assert.equal((await w.alter('users', 'deprovision', carol, '--yes')).code, 0);
  const again = await w.alter('users', 'unblock', carol);
  assert.equal(again.code, 5, again.stderr);
  assert.match(again.stderr, /final/);
  await w.deliver({ type: 'user.unblocked', user_id: 'carol', occurred_at: new Date(Date.now() + 60_000).toISOString() });
  assert.equal((await w.resolve('carol')).status, 401);
  assert.equal((await w.alter('users', 'deprovision', carol, '--yes')).code, 0, 'deprovisioning twice changes nothing and is no error');

  await w.deliver({ type: 'user.deleted', user_id: 'dave' });
  const block = await w.alter('users', 'block', dave, '--yes');
  assert.equal(block.code, 5, block.stderr);
  const unblock = await w.alter('users', 'unblock', dave);
  assert.equal(unblock.code, 5);
  assert.match(unblock.stderr, /restore them at the provider/);
  // The provider restoring them is theirs to do.
  await w.deliver({ type: 'user.unblocked', user_id: 'dave' });
  assert.equal((await w.resolve('dave')).status, 200);
});

test('lists: status, group and search filters, newest first, cursors over more than a page, --all', async () => {
  const w = await world();
  for (let i = 0; i < 130; i++) assert.equal((await w.resolve(`user-${String(i).padStart(3, '0')}`, { email: `User${i}@Example.com`, groups: i % 10 === 0 ? ['tens'] : ['rest'] })).status, 200);
  assert.equal((await w.resolve('100%_literal')).status, 200);
  await w.deliver({ type: 'user.blocked', user_id: 'user-007' });

  const first = await w.alter('users', 'list', '--output', 'json');
  const firstPage = JSON.parse(first.stdout) as any[];
  assert.equal(firstPage.length, 100, 'default limit');
  assert.equal(firstPage[0].external_id, '100%_literal', 'newest first');

  const all = await w.alter('users', 'list', '--all', '--output', 'jsonl');
  const everyone = all.stdout.trim().split('\n').map((l) => JSON.parse(l).external_id as string);
  assert.equal(everyone.length, 131);
  assert.equal(new Set(everyone).size, 131, 'no user twice across pages');

  const limited = await w.alter('users', 'list', '--limit', '7', '--output', 'json');
  assert.equal(JSON.parse(limited.stdout).length, 7);

  const blocked = JSON.parse((await w.alter('users', 'list', '--status', 'blocked', '--output', 'json')).stdout);
  assert.deepEqual(blocked.map((u: any) => u.external_id), ['user-007']);
  const tens = JSON.parse((await w.alter('users', 'list', '--group', 'tens', '--all', '--output', 'json')).stdout);
  assert.equal(tens.length, 13);
  const searched = JSON.parse((await w.alter('users', 'list', '--search', 'USER12@example', '--output', 'json')).stdout);
  assert.deepEqual(searched.map((u: any) => u.external_id), ['user-012']);
  const literal = JSON.parse((await w.alter('users', 'list', '--search', '0%_', '--output', 'json')).stdout);
  assert.deepEqual(literal.map((u: any) => u.external_id), ['100%_literal'], '% and _ are matched literally');

  const table = await w.alter('users', 'list', '--limit', '2');
  assert.equal(table.code, 0);
  assert.match(table.stdout, /EXTERNAL_ID/);

  const groups = JSON.parse((await w.alter('groups', 'list', '--output', 'json')).stdout);
  assert.deepEqual(groups.map((g: any) => `${g.kind}:${g.name}:${g.members}:${g.source}`), ['group:rest:117:token', 'group:tens:13:token']);
  const shown = await w.alter('groups', 'show', '--name', 'tens');
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.json<any>().members.length, 13);
  assert.equal(shown.json<any>().member_count, 13);
  const byId = await w.alter('groups', 'show', groups[1].id, '--fields', 'name,member_count');
  assert.deepEqual(byId.json(), { name: 'tens', member_count: 13 });
});

test('bad input: unknown ids, bad filters and cursors, missing scopes, another app', async () => {
  const w = await world();
  assert.equal((await w.resolve('erin')).status, 200);
  const erin = (await userByExternalId(w, 'erin')).id;

  assert.equal((await w.alter('users', 'show', 'usr_nope')).code, 4);
  assert.equal((await w.alter('users', 'show', '--external-id', 'nobody')).code, 4);
  assert.equal((await w.alter('users', 'show')).code, 2);
  assert.equal((await w.alter('users', 'block', 'usr_nope', '--yes')).code, 4);
  assert.equal((await w.alter('groups', 'show', '--name', 'nothing')).code, 4);
  const noYes = await w.alter('users', 'deprovision', erin);
  assert.equal(noYes.code, 2);
  assert.match(noYes.stderr, /--yes/);
  assert.equal((await userByExternalId(w, 'erin')).status, 'active', 'nothing changed without --yes');
  assert.equal((await w.alter('users', 'list', '--status', 'gone')).code, 2);
  assert.equal((await w.alter('users', 'list', '--limit', '0')).code, 2);
  assert.equal((await w.alter('groups', 'list', '--kind', 'team')).code, 2);

  const base = `/v1/apps/${w.app.appId}/users`;
  for (const q of ['?cursor=garbage', '?limit=1001', '?status=x', '?kind=x']) {
    const res = await server.api('GET', base + q);
    assert.equal(res.status, 400, q);
    assert.equal(res.body.error.code, 'invalid_request');
  }

  const reader = await server.api('POST', '/v1/tokens', { scopes: ['dashboard_directory:read'], app_id: w.app.appId, name: 'reader' });
  assert.equal(reader.status, 201, JSON.stringify(reader.body));
  const asReader = (...args: string[]) => cli(args, { env: { ...server.cliEnv, ALTER_APP_ID: w.app.appId, ALTER_PAT: reader.body.token } });
  assert.equal((await asReader('users', 'list')).code, 0);
  const forbidden = await asReader('users', 'block', erin, '--yes');
  assert.equal(forbidden.code, 7);
  assert.match(forbidden.stderr, /dashboard_directory:write/);

  const other = await world();
  const otherReader = await server.api('POST', '/v1/tokens', { scopes: ['dashboard_directory:read', 'dashboard_directory:write'], app_id: other.app.appId });
  const crossApp = await cli(['users', 'block', erin, '--yes', '--app', w.app.appId], { env: { ...server.cliEnv, ALTER_PAT: otherReader.body.token } });
  assert.equal(crossApp.code, 7);
  // The other app's own view does not find erin either.
  assert.equal((await server.api('GET', `/v1/apps/${other.app.appId}/users/${erin}`)).status, 404);
  assert.equal((await userByExternalId(w, 'erin')).status, 'active');
});

test('runtime routes: a user by id or external id, a group’s members page by page, nothing of another app', async () => {
  const w = await world();
  for (let i = 0; i < 5; i++) assert.equal((await w.resolve(`m${i}`, { groups: ['crew'], roles: i === 0 ? ['captain'] : [] })).status, 200);
  const m0 = (await userByExternalId(w, 'm0')).id;
  const get = async (path: string, key: string | null = w.app.runtimeKey) => {
    const res = await fetch(server.url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };

  const byId = await get(`/v1/directory/users/${m0}`);
  assert.equal(byId.status, 200);
  assert.equal(byId.body.external_id, 'm0');
  assert.deepEqual(byId.body.roles, ['captain']);
  assert.deepEqual((await get('/v1/directory/users?external_id=m0')).body.data.map((u: any) => u.id), [m0]);
  assert.deepEqual((await get('/v1/directory/users?external_id=nobody')).body, { data: [] });
  assert.equal((await get('/v1/directory/users')).status, 400);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await get(`/v1/directory/groups/crew/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.data.length <= 2);
    seen.push(...page.body.data.map((u: any) => u.external_id));
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen.sort(), ['m0', 'm1', 'm2', 'm3', 'm4']);
  assert.deepEqual((await get('/v1/directory/groups/captain/members?kind=role')).body.data.map((u: any) => u.external_id), ['m0']);
  assert.deepEqual((await get('/v1/directory/groups/nothing/members')).body, { data: [], next_cursor: null });

  const other = await world();
  assert.equal((await get(`/v1/directory/users/${m0}`, other.app.runtimeKey)).status, 404);
  assert.deepEqual((await get('/v1/directory/users?external_id=m0', other.app.runtimeKey)).body, { data: [] });
  assert.deepEqual((await get('/v1/directory/groups/crew/members', other.app.runtimeKey)).body.data, []);
  assert.equal((await get(`/v1/directory/users/${m0}`, null)).status, 401);
  assert.equal((await get(`/v1/directory/users/${m0}`, server.adminToken)).status, 401, 'a personal access token is not a runtime key');
});
