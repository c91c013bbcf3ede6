// PostgreSQL taken away from a running server, as restarts, failovers and network blips do it:
// connections terminated while idle, during a burst of resolves, in the middle of a webhook's and
// of `idp create`'s transaction, and the database gone for seconds (a proxy on loopback refusing
// connections) and back. After each, the server process is alive, answered only 200/401/503 within
// a bound, wrote nothing half-way, and serves normally within seconds of the database's return.
// These run on the machine's PostgreSQL on both passes of the suite.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';
import { pgClient, sleep, startFaultWorld, terminateConnections, within, type Answer, type FaultWorld } from './world.js';

after(cleanupAll);

const OK_DURING_FAULTS = new Set([200, 401, 503]);
/** No request may take longer than this while the database misbehaves. */
const BOUND_MS = 8_000;

function assertAlive(w: FaultWorld): void {
  assert.equal(w.server.proc.exitCode, null, `the server exited:\n${w.server.output().slice(-3000)}`);
  assert.equal(w.server.proc.signalCode, null, 'the server was killed');
}

function assertFaultAnswers(answers: Answer[]): void {
  for (const a of answers) {
    assert.ok(OK_DURING_FAULTS.has(a.status), `answered ${a.status}: ${JSON.stringify(a.body)}`);
    assert.ok(a.ms < BOUND_MS, `a request took ${a.ms} ms`);
    if (a.status === 503) {
      assert.equal(a.body.error.code, 'store_unavailable');
      assert.ok(Number(a.headers.get('retry-after')) > 0, '503 carries Retry-After');
    }
  }
}

async function servesNormally(w: FaultWorld, sub: string): Promise<number> {
  return within(5_000, async () => (await w.resolve(await w.token(sub, ['eng']))).status === 200 && (await w.api('GET', '/v1/apps')).status === 200);
}

test('connections terminated while idle: the next requests are served as if nothing happened', async () => {
  const w = await startFaultWorld('postgres');
  assert.equal((await w.resolve(await w.token('alice'))).status, 200);
  const ended = await terminateConnections(w.databaseUrl!);
  assert.ok(ended >= 1, 'the server had connections to end');
  await sleep(300);
  assertAlive(w);
  const after = await w.resolve(await w.token('alice', ['eng']));
  assert.equal(after.status, 200, `${JSON.stringify(after.body)}\n${w.server.output().slice(-3000)}`);
  assert.equal((await w.api('GET', '/v1/apps')).status, 200);
  assert.equal((await w.call('GET', '/readyz')).status, 200);
});

test('connections terminated during a burst of writing resolves: only 200/503, nothing the client was told is lost', async () => {
  const w = await startFaultWorld('postgres');
  const answers: Array<Answer & { sub: string }> = [];
  let n = 0;
  const worker = async (): Promise<void> => {
    while (n < 240) {
      const sub = `burst-${n++}`;
      answers.push({ ...(await w.resolve(await w.token(sub, [`g${n % 5}`]))), sub });
    }
  };
  const killer = (async () => {
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      await terminateConnections(w.databaseUrl!);
    }
  })();
  await Promise.all([...Array.from({ length: 12 }, worker), killer]);
  assertAlive(w);
  assertFaultAnswers(answers);
  assert.ok(answers.some((a) => a.status === 200), 'some resolves went through');
  await servesNormally(w, 'after-burst');
  // Every user whose resolve was answered 200 is in the store: nothing acknowledged was lost.
  const db = await pgClient(w.databaseUrl!);
  const stored = new Set((await db.query<{ external_id: string }>('SELECT external_id FROM users')).rows.map((r) => r.external_id));
  for (const a of answers.filter((x) => x.status === 200)) assert.ok(stored.has(a.sub), `${a.sub} was answered 200 but is not stored`);
});

test("connection terminated inside a webhook delivery's transaction: 503, nothing applied, the provider's retry applies it", async () => {
  const w = await startFaultWorld('postgres');
  assert.equal((await w.resolve(await w.token('carol'))).status, 200);
  const statusPath = `/v1/apps/${w.appId}/identity-providers/${w.providerId}/webhook/status`;
  const before = (await w.api('GET', statusPath)).body;

  // Hold the users table so that the delivery's transaction stops half-way (its counters and the
  // delivery id already written), then end its connection there.
  const locker = await pgClient(w.databaseUrl!);
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  const event = { id: 'evt-mid-tx', type: 'user.deleted', user_id: 'carol' };
  const delivery = w.deliver([event]);
  await within(5_000, async () => (await terminateConnections(w.databaseUrl!, 'waiting-on-lock', locker.pid)) > 0);
  const refused = await delivery;
  await locker.query('ROLLBACK');
  assertFaultAnswers([refused]);
  assert.equal(refused.status, 503, 'the provider is told to retry');

  assertAlive(w);
  const db = await pgClient(w.databaseUrl!);
  assert.equal((await db.query("SELECT 1 FROM webhook_deliveries WHERE delivery_id = 'evt-mid-tx'")).rowCount, 0, 'the delivery id was not kept');
  assert.equal((await db.query("SELECT status FROM users WHERE external_id = 'carol'")).rows[0].status, 'active');
  assert.equal((await w.api('GET', statusPath)).body.events_received, before.events_received, 'the half-done delivery left no count');

  const retried = await w.deliver([event]);
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  assert.equal(retried.body.applied, 1);
  const refusedToken = await w.resolve(await w.token('carol'));
  assert.equal(refusedToken.status, 401);
  assert.equal(refusedToken.body.error.reason, 'deprovisioned');
});

test("connection terminated inside `idp create`'s transaction: 503, no provider saved, the same create then succeeds", async () => {
  const w = await startFaultWorld('postgres');
  const app = (await w.api('POST', '/v1/apps', { name: 'second' })).body;
  const locker = await pgClient(w.databaseUrl!);
  await locker.query('BEGIN');
  // The provider row is inserted first, then the audit entry: hold the audit table.
  await locker.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE');
  const create = w.api('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: w.issuer.issuer });
  await within(5_000, async () => (await terminateConnections(w.databaseUrl!, 'waiting-on-lock', locker.pid)) > 0);
  const refused = await create;
  await locker.query('ROLLBACK');
  assertFaultAnswers([refused]);
  assert.equal(refused.status, 503);
  assertAlive(w);
  const db = await pgClient(w.databaseUrl!);
  assert.equal((await db.query('SELECT 1 FROM identity_providers WHERE app_id = $1', [app.id])).rowCount, 0, 'nothing half-saved');
  const again = await w.api('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: w.issuer.issuer });
  assert.equal(again.status, 201, JSON.stringify(again.body));
});

test('the database gone for seconds under load: 503s (cached answers included), /readyz 503, the CLI says so; back within seconds of its return', async () => {
  const w = await startFaultWorld('postgres', { proxy: true });
  const known = await w.token('dave', ['eng']);
  assert.equal((await w.resolve(known)).status, 200);

  const answers: Answer[] = [];
  let running = true;
  let i = 0;
  const load = async (): Promise<void> => {
    while (running) {
      answers.push(await w.resolve(i++ % 2 ? known : await w.token(`load-${i}`)));
      await sleep(20);
    }
  };
  const workers = Array.from({ length: 6 }, load);

  await sleep(300);
  await w.proxy!.cut();
  const cutAt = Date.now();
  // Fail closed: once the server cannot check with the store, even a token it has answered
  // before gets 503, not the cached 200.
  await within(3_000, async () => (await w.resolve(known)).status === 503);
  const ready = await w.call('GET', '/readyz');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.error.code, 'store_unavailable');
  assert.equal((await w.call('GET', '/healthz')).status, 200, 'liveness does not depend on the store');

  const listed = await cli(['apps', 'list'], { env: { ...w.env, ALTER_API_URL: w.server.url, ALTER_PAT: w.admin } });
  assert.equal(listed.code, 1, listed.stderr);
  assert.match(listed.stderr, /store is unavailable/);
  assert.equal(listed.stdout, '');

  await sleep(Math.max(0, 3_000 - (Date.now() - cutAt)));
  await w.proxy!.restore();
  const back = await servesNormally(w, 'after-outage');
  running = false;
  await Promise.all(workers);

  assertAlive(w);
  assert.ok(back < 5_000, `served normally ${back} ms after the database returned`);
  assertFaultAnswers(answers);
  assert.ok(answers.some((a) => a.status === 503) && answers.some((a) => a.status === 200));
  assert.equal((await w.call('GET', '/readyz')).status, 200);
  // One outage, one warning from the poller (not one per failed attempt), and one line when back.
  const log = w.server.output();
  assert.equal(log.match(/store unreachable/g)?.length, 1, log.slice(-4000));
  assert.equal(log.match(/store reachable again/g)?.length, 1);
});

test('a column added to users by a newer server while this one runs: its resolves keep answering 200', async () => {
  const w = await startFaultWorld('postgres');
  // A rolling upgrade: the read of `users.*` and the writer thread's writes have both run on
  // several connections before the column appears.
  const changing = async (round: string): Promise<Answer[]> =>
    Promise.all(Array.from({ length: 24 }, async (_, i) => w.resolve(await w.token(`member-${i % 6}`, ['eng', `${round}-${i}`]))));
  for (const round of ['a', 'b', 'c']) for (const a of await changing(round)) assert.equal(a.status, 200, JSON.stringify(a.body));
  const c = await pgClient(w.databaseUrl!);
  try {
    // What a newer version's migration would do while this process still serves.
    await c.query('ALTER TABLE users ADD COLUMN nickname text');
    for (const round of ['d', 'e']) for (const a of await changing(round)) assert.equal(a.status, 200, JSON.stringify(a.body));
  } finally {
    await c.query('ALTER TABLE users DROP COLUMN nickname');
    await c.end();
  }
  assertAlive(w);
});
