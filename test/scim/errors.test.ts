// Every error case of the SCIM surface, each with the SCIM error body and nothing written; paging
// over more than one page; discovery documents; rotate and disable through the real CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { cli } from '../helpers/cli.js';
import { assertScimError, GROUP_SCHEMA, patch, scimWorld, USER_SCHEMA } from './setup.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;
before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  issuer = await startFixtureIssuer();
});

const user = (n: number | string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_SCHEMA], userName: `u${n}@example.com`, externalId: `ext-${n}`, active: true, ...extra });

test('401 without or with a wrong token, 404 with the SCIM body, 409 uniqueness, 400 invalidFilter / invalidSyntax / invalidValue, 413', async () => {
  const w = await scimWorld(server, issuer);
  assertScimError(await w.scim('GET', '/Users', undefined, { token: null }), 401);
  assertScimError(await w.scim('GET', '/Users', undefined, { token: 'alter_scim_wrong' }), 401);
  assertScimError(await w.scim('POST', '/Users', user(1), { token: 'alter_scim_wrong' }), 401);
  assertScimError(await w.scim('GET', '/Users/usr_nope'), 404);
  assertScimError(await w.scim('PATCH', '/Groups/grp_nope', patch({ op: 'add', path: 'members', value: [] })), 404);

  assert.equal((await w.scim('POST', '/Users', user(1))).status, 201);
  assertScimError(await w.scim('POST', '/Users', user(1, { externalId: 'ext-other' })), 409, 'uniqueness');
  assertScimError(await w.scim('POST', '/Users', user('other', { externalId: 'ext-1' })), 409, 'uniqueness');
  assert.equal((await w.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G' })).status, 201);
  assertScimError(await w.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G' }), 409, 'uniqueness');

  assertScimError(await w.scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
  assertScimError(await w.scim('GET', `/Users?filter=${encodeURIComponent('password eq "x"')}`), 400, 'invalidFilter');
  assertScimError(await w.scim('POST', '/Users', undefined, { raw: '{"userName": ' }), 400, 'invalidSyntax');
  assertScimError(await w.scim('POST', '/Users', { schemas: [USER_SCHEMA], externalId: 'no-username' }), 400, 'invalidValue');
  assertScimError(await w.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'no-external-id@example.com' }), 400, 'invalidValue');
  const id = (await w.scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-1"')}`)).body.Resources[0].id;
  assertScimError(await w.scim('PATCH', `/Users/${id}`, { Operations: [] }), 400);
  assertScimError(await w.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'active', value: 'maybe' })), 400, 'invalidValue');
  assertScimError(await w.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'externalId', value: 'someone-else' })), 400, 'mutability');
  assertScimError(await w.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'H', members: [{ value: 'usr_unknown' }] }), 400, 'invalidValue');
  assert.equal((await w.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "H"')}`)).body.totalResults, 0, 'the refused group was not half-created');

  const big = await w.scim('POST', '/Users', undefined, { raw: JSON.stringify(user(2, { padding: 'x'.repeat(1_100_000) })) });
  assertScimError(big, 413);
  assert.equal((await w.scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-2"')}`)).body.totalResults, 0);

  const status = await server.api('GET', `${w.adminPath}/status`);
  assert.ok(status.body.errors >= 10);
  assert.match(status.body.last_error, /^413 POST/);
});

test('paging over more than 100 users; discovery documents', async () => {
  const w = await scimWorld(server, issuer);
  for (let i = 0; i < 120; i++) assert.equal((await w.scim('POST', '/Users', user(i))).status, 201);
  const first = await w.scim('GET', '/Users');
  assert.deepEqual([first.body.totalResults, first.body.itemsPerPage, first.body.startIndex], [120, 100, 1]);
  const second = await w.scim('GET', '/Users?startIndex=101&count=100');
  assert.deepEqual([second.body.totalResults, second.body.itemsPerPage, second.body.startIndex], [120, 20, 101]);
  const ids = new Set([...first.body.Resources, ...second.body.Resources].map((r: any) => r.id));
  assert.equal(ids.size, 120, 'every user once across the pages');
  assert.equal((await w.scim('GET', '/Users?count=0')).body.Resources.length, 0);

  const config = await w.scim('GET', '/ServiceProviderConfig');
  assert.equal(config.status, 200);
  assert.equal(config.body.patch.supported, true);
  assert.equal(config.body.filter.supported, true);
  assert.deepEqual((await w.scim('GET', '/ResourceTypes')).body.Resources.map((r: any) => r.id), ['User', 'Group']);
  assert.equal((await w.scim('GET', '/Schemas')).body.totalResults, 2);
});

test('rotate stops the old token at once; disable turns the endpoints off (404); both through the CLI', async () => {
  const w = await scimWorld(server, issuer);
  const env = { ...server.cliEnv, ALTER_APP_ID: w.app.appId };
  const rotated = await cli(['idp', 'scim', 'rotate', '--provider', w.app.providerId!, '--yes'], { env });
  assert.equal(rotated.code, 0, rotated.stderr);
  const fresh = rotated.json<any>().token as string;
  assert.match(fresh, /^alter_scim_/);
  assertScimError(await w.scim('GET', '/Users'), 401);
  assert.equal((await w.scim('GET', '/Users', undefined, { token: fresh })).status, 200);

  const status = await cli(['idp', 'scim', 'status', '--provider', w.app.providerId!], { env });
  assert.equal(status.code, 0);
  assert.equal(status.json<any>().enabled, true);
  assert.ok(!status.stdout.includes(fresh), 'status never shows the token');
  assert.equal((await cli(['idp', 'scim', 'enable', '--provider', w.app.providerId!], { env })).code, 5, 'already enabled');
  assert.equal((await cli(['idp', 'scim', 'disable', '--provider', w.app.providerId!], { env })).code, 2, '--yes is required without a terminal');

  assert.equal((await cli(['idp', 'scim', 'disable', '--provider', w.app.providerId!, '--yes'], { env })).code, 0);
  assertScimError(await w.scim('GET', '/Users', undefined, { token: fresh }), 404);
});
