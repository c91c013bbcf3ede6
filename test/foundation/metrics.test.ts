// Prometheus metrics of a real server process started with --metrics-port: each series of the
// contract moves when its event happens, labels stay within closed sets (no user id, no issuer URL),
// the default process metrics are there, and the API port does not serve them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { spawnServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { ClerkDouble } from '../helpers/directory-doubles/clerk.js';
import { initServer } from '../../src/server/lifecycle.js';

after(cleanupAll);

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('every series of §12 counts what happened, with bounded labels', async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const server = await spawnServer(env, ['--metrics-port', '0']);
  const metricsUrl = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(server.output())?.[1];
  assert.ok(metricsUrl, server.output());
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  };
  const issuer = await startFixtureIssuer({ template: 'clerk-dev.json' });
  const app = await api('POST', '/v1/apps', { name: 'metrics' });
  const key = await api('POST', `/v1/apps/${app.id}/keys`, { name: 'backend' });
  const provider = await api('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'org_slug' });
  const resolve = (token: string, runtimeKey = key.key as string) =>
    fetch(`${server.url}/v1/identity/resolve`, { method: 'POST', headers: { authorization: `Bearer ${runtimeKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ token }) });

  assert.equal((await resolve(await issuer.mint({ sub: 'user_secret_subject' }))).status, 200);
  assert.equal((await resolve(await issuer.mint({ sub: 'late', exp: Math.floor(Date.now() / 1000) - 3600 }))).status, 401);
  assert.equal((await resolve('x', 'alter_key_wrong')).status, 401);

  const hookSecret = 'whsec_' + Buffer.from('m'.repeat(24)).toString('base64');
  await api('POST', `/v1/apps/${app.id}/identity-providers/${provider.id}/webhook/enable`, { secret: hookSecret });
  assert.equal((await fetch(`${server.url}/v1/webhooks/idp/${provider.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);

  const scim = await api('POST', `/v1/apps/${app.id}/identity-providers/${provider.id}/scim/enable`, {});
  assert.equal((await fetch(`${scim.base_url}/Users`, { headers: { authorization: `Bearer ${scim.token}` } })).status, 200);

  const clerk = await ClerkDouble.start({ users: 5, organizations: 1 });
  await api('POST', `/v1/apps/${app.id}/identity-providers/${provider.id}/sync/enable`, { credentials: clerk.credentials });
  let run = await api('POST', `/v1/apps/${app.id}/identity-providers/${provider.id}/sync/runs`, {});
  while (run.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    run = await api('GET', `/v1/apps/${app.id}/identity-providers/${provider.id}/sync/runs/${run.id}`);
  }

  const res = await fetch(metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  assert.equal(value(text, 'alter_resolve_requests_total{outcome="ok",reason=""}'), 1);
  assert.equal(value(text, 'alter_resolve_requests_total{outcome="invalid_token",reason="expired"}'), 1);
  assert.equal(value(text, 'alter_resolve_requests_total{outcome="unauthorized",reason=""}'), 1);
  assert.equal(value(text, 'alter_resolve_duration_seconds_count'), 3);
  assert.ok(value(text, 'alter_jwks_fetches_total{outcome="ok"}') >= 1);
  assert.equal(value(text, 'alter_webhook_deliveries_total{scheme="svix",outcome="rejected"}'), 1);
  assert.equal(value(text, 'alter_scim_requests_total{method="GET",status="200"}'), 1);
  assert.equal(value(text, 'alter_directory_sync_runs_total{status="succeeded"}'), 1);
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  assert.ok(!text.includes('user_secret_subject') && !text.includes(issuer.issuer) && !text.includes(app.id), 'no user ids, issuers or app ids as labels');

  assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'the API port does not serve metrics');
  assert.equal(await server.stop(), 0);
});
