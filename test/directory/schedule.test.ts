// Scheduled directory syncs with two server processes on one database: when a sync falls due,
// exactly one process runs it (the lease in the store), and the next run is an interval later.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { spawnServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { ClerkDouble } from '../helpers/directory-doubles/clerk.js';
import { initServer } from '../../src/server/lifecycle.js';
import { openStore } from '../../src/store/database.js';
import { SCHEDULER_TICK_MS } from '../../src/directory/sync-scheduler.js';

after(cleanupAll);

test('two processes, one schedule: a due sync runs once, on one of them', async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer({ template: 'clerk-dev.json' });
  const clerk = await ClerkDouble.start({ users: 30, organizations: 2 });
  const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(a.url + path, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const parsed = await res.json();
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const app = await api('POST', '/v1/apps', { name: 'scheduled' });
  const provider = await api('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'org_slug' });
  const syncPath = `/v1/apps/${app.id}/identity-providers/${provider.id}/sync`;
  await api('POST', `${syncPath}/enable`, { credentials: clerk.credentials, interval: '5m' });

  const readsBefore = clerk.requests.filter((r) => r.target.startsWith('/v1/users?')).length;
  // Make it due now (as if its interval had passed), on the database both processes share.
  const store = await openStore({ dataDir: env.ALTER_DATA_DIR, databaseUrl: env.DATABASE_URL });
  try {
    await store.db.updateTable('directory_syncs').set({ next_run_at: new Date(Date.now() - 1000).toISOString() }).execute();
  } finally {
    await store.close();
  }

  const deadline = Date.now() + SCHEDULER_TICK_MS * 3;
  let runs: any[] = [];
  while (Date.now() < deadline) {
    runs = (await api('GET', `${syncPath}/runs`)).items;
    if (runs.some((r) => r.status === 'succeeded')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(runs.length, 1, JSON.stringify(runs));
  assert.equal(runs[0].trigger, 'schedule');
  assert.equal(runs[0].status, 'succeeded');
  assert.equal(runs[0].created, 30);

  // Both processes have looked again since; still one run, the next one an interval away.
  await new Promise((r) => setTimeout(r, SCHEDULER_TICK_MS * 1.5));
  assert.equal((await api('GET', `${syncPath}/runs`)).items.length, 1);
  const status = await api('GET', syncPath);
  const nextIn = Date.parse(status.next_run_at) - Date.now();
  assert.ok(nextIn > 4 * 60_000 && nextIn <= 5 * 60_000, `next run in ${nextIn} ms`);
  assert.equal(clerk.requests.filter((r) => r.target.startsWith('/v1/users?')).length - readsBefore, 1, 'the directory was read once');

  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});
