// The set-up of the store-fault tests: a real `alter server start` process (so that "the server
// stays up" means a process that did not exit) on a store the test chooses, with an app, a runtime
// key, an identity provider on a loopback issuer and an enabled generic webhook, and the calls an
// app backend, a provider and an operator make.
import pg from 'pg';
import { initServer } from '../../src/server/lifecycle.js';
import { freshDatabaseUrl, onCleanup, testEnv, type TestEnv } from '../helpers/env.js';
import { spawnServer, type SpawnedServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
  ms: number;
}

export interface FaultWorld {
  server: SpawnedServer;
  env: TestEnv;
  issuer: FixtureIssuer;
  admin: string;
  appId: string;
  providerId: string;
  runtimeKey: string;
  webhookSecret: string;
  /** PostgreSQL only: the database's own URL (not through the proxy) and the proxy, when asked for. */
  databaseUrl: string | null;
  proxy: TcpProxy | null;
  call(method: string, path: string, opts?: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string>; timeoutMs?: number }): Promise<Answer>;
  api(method: string, path: string, body?: unknown): Promise<Answer>;
  resolve(token: string): Promise<Answer>;
  /** A token of `sub` with the given groups, fresh each call. */
  token(sub: string, groups?: string[]): Promise<string>;
  deliver(events: Array<Record<string, unknown>>): Promise<Answer>;
}

export async function startFaultWorld(store: 'sqlite' | 'postgres', opts: { proxy?: boolean } = {}): Promise<FaultWorld> {
  const base = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  let databaseUrl: string | null = null;
  let proxy: TcpProxy | null = null;
  const env: TestEnv = { ...base };
  delete env.DATABASE_URL;
  if (store === 'postgres') {
    databaseUrl = await freshDatabaseUrl();
    const u = new URL(databaseUrl);
    if (opts.proxy) proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    env.DATABASE_URL = proxy ? proxy.through(databaseUrl) : databaseUrl;
  }
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  onCleanup(() => issuer.close());
  const server = await spawnServer(env);

  async function call(method: string, path: string, o: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
    const started = Date.now();
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined || o.raw !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(server.url + path, {
      method,
      headers,
      body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body, headers: res.headers, ms: Date.now() - started };
  }
  const api = (method: string, path: string, body?: unknown): Promise<Answer> => call(method, path, { body, token: admin });
  const must = async (a: Promise<Answer>, what: string): Promise<any> => {
    const r = await a;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  const app = await must(api('POST', '/v1/apps', { name: 'faults' }), 'app create');
  const key = await must(api('POST', `/v1/apps/${app.id}/keys`, { name: 'backend' }), 'key mint');
  const provider = await must(api('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'groups' }), 'provider create');
  const hook = await must(api('POST', `/v1/apps/${app.id}/identity-providers/${provider.id}/webhook/enable`, {}), 'webhook enable');

  return {
    server,
    env,
    issuer,
    admin,
    appId: app.id,
    providerId: provider.id,
    runtimeKey: key.key,
    webhookSecret: hook.secret,
    databaseUrl,
    proxy,
    call,
    api,
    resolve: (token) => call('POST', '/v1/identity/resolve', { body: { token }, token: key.key }),
    token: (sub, groups = []) => issuer.mint({ sub, groups, jti: `${Math.random()}` }),
    deliver: (events) => call('POST', `/v1/webhooks/idp/${provider.id}`, { raw: JSON.stringify({ events }), headers: { authorization: hook.secret } }),
  };
}

/** A client of the test's database itself (not through the proxy), closed at cleanup. */
export async function pgClient(url: string): Promise<pg.Client & { pid: number }> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  onCleanup(() => client.end().catch(() => {}));
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return Object.assign(client, { pid });
}

/**
 * Terminates the connections to `databaseUrl`'s database (what a restart or failover does to them):
 * all of them but the caller's, or only those waiting for a lock. How many it ended.
 */
export async function terminateConnections(databaseUrl: string, only: 'all' | 'waiting-on-lock' = 'all', sparePid = 0): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const waiting = only === 'waiting-on-lock' ? "AND wait_event_type = 'Lock'" : '';
    // The timeout makes each call wait until its backend has exited: pg_terminate_backend alone
    // only sends the signal, and on a busy machine the next request could still meet a backend
    // that is about to die, which is the "during a query" case, not the idle one.
    const res = await c.query<{ n: string }>(`SELECT count(pg_terminate_backend(pid, 5000)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> $2 ${waiting}`, [name, sparePid]);
    return Number(res.rows[0]!.n);
  } finally {
    await c.end();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns true or `ms` pass; the time it took. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`not true within ${ms} ms`);
}
