// `--fields` is checked before a command acts, against the fields each command declares; and what
// the commands really print matches those declarations.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { OUTPUT_FIELDS } from '../../src/cli/output-fields.js';

after(cleanupAll);

describe('--fields and declared output fields', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  });
  const run = (args: string[]) => cli([...args, '--output', 'json'], { env: s.cliEnv });

  test('a typo in --fields is exit 2 before anything is created', async () => {
    const tokensBefore = (await run(['tokens', 'list'])).json<any[]>().length;
    const appsBefore = (await run(['apps', 'list'])).json<any[]>().length;
    const token = await cli(['tokens', 'create', '--scopes', 'dashboard_apps:read', '--fields', 'tokn'], { env: s.cliEnv });
    assert.equal(token.code, 2);
    assert.match(token.stderr, /"tokn"/);
    assert.equal((await cli(['apps', 'create', '--name', 'typo', '--fields', 'idd'], { env: s.cliEnv })).code, 2);
    assert.equal((await run(['tokens', 'list'])).json<any[]>().length, tokensBefore);
    assert.equal((await run(['apps', 'list'])).json<any[]>().length, appsBefore);
  });

  test('what the commands print is what they declare', async () => {
    const keysOf = async (args: string[]): Promise<string[]> => {
      const r = await run(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      const out = r.json<any>();
      return Object.keys(Array.isArray(out) ? out[0] : out).sort();
    };
    const declared = (path: string): string[] => [...OUTPUT_FIELDS[path]!].sort();
    const app = await run(['apps', 'create', '--name', 'declared']);
    const appId = app.json<any>().id as string;
    assert.deepEqual(Object.keys(app.json()).sort(), declared('apps create'));
    assert.deepEqual(await keysOf(['tokens', 'create', '--scopes', 'dashboard_apps:read']), declared('tokens create'));
    assert.deepEqual(await keysOf(['tokens', 'list']), declared('tokens list'));
    assert.deepEqual(await keysOf(['keys', 'mint', '--name', 'k', '--app', appId]), declared('keys mint'));
    assert.deepEqual(await keysOf(['keys', 'list', '--app', appId]), declared('keys list'));
    assert.deepEqual(await keysOf(['auth', 'status']), declared('auth status'));

    const issuer = await startFixtureIssuer();
    const discovered = await keysOf(['idp', 'discover', '--issuer-url', issuer.issuer]);
    assert.deepEqual(discovered, declared('identity-providers discover').filter((f) => f !== 'sample_token'));
    assert.deepEqual(await keysOf(['idp', 'create', '--issuer-url', issuer.issuer, '--app', appId]), declared('identity-providers create'));
    const providerId = (await run(['idp', 'show', '--app', appId])).json<any>().id as string;
    assert.deepEqual(await keysOf(['idp', 'show', '--app', appId]), declared('identity-providers show'));
    const hook = ['idp', 'webhook'];
    assert.deepEqual(await keysOf([...hook, 'enable', '--provider', providerId, '--app', appId]), declared('identity-providers webhook enable'));
    assert.deepEqual(await keysOf([...hook, 'status', '--provider', providerId, '--app', appId]), declared('identity-providers webhook status'));
    assert.deepEqual(await keysOf([...hook, 'disable', '--provider', providerId, '--app', appId, '--yes']), declared('identity-providers webhook disable'));
    assert.deepEqual(await keysOf(['idp', 'delete', '--provider', providerId, '--app', appId, '--yes']), declared('identity-providers delete'));
  });
});
