// `npm run bench`, directory sync: a first sync of BENCH_SYNC_USERS (default 10,000) users from each
// provider's management API (the loopback doubles of the tests, shaped like the real APIs), run by
// the real server binary in its own process on SQLite (or PostgreSQL with DATABASE_URL). Printed
// against a baseline measured in the same run: reading the same directory alone, in this process,
// with no store. Goal: under 30 s per provider and under 200 MB peak RSS for the server.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanupAll, freshDatabaseUrl, testEnv, usingPostgres } from '../../test/helpers/env.js';
import { startFixtureIssuer } from '../../test/helpers/fixture-issuer.js';
import { Auth0Double } from '../../test/helpers/directory-doubles/auth0.js';
import { ClerkDouble } from '../../test/helpers/directory-doubles/clerk.js';
import { OktaDouble } from '../../test/helpers/directory-doubles/okta.js';
import { initServer } from '../../src/server/lifecycle.js';
import { createDirectorySource, parseCredentials } from '../../src/directory/sources/index.js';

const BIN = fileURLToPath(new URL('../../bin/alter', import.meta.url));
const USERS = Number(process.env.BENCH_SYNC_USERS ?? 10_000);
const PROVIDERS = (process.env.BENCH_SYNC_PROVIDERS ?? 'clerk,okta,auth0').split(',');

interface Double {
  origin: string;
  provider(): { provider_type: string; issuer: string; group_claim: string | null; role_claim: string | null };
  close(): Promise<void>;
}

// `issuerHost`: the host of the server's identity provider (Auth0 derives its API audience from it).
const DOUBLES: Record<string, { template: string; start(issuerHost: string): Promise<{ double: Double; credentials: Record<string, unknown> }> }> = {
  clerk: { template: 'clerk-dev.json', start: async () => ((d) => ({ double: d, credentials: d.credentials }))(await ClerkDouble.start({ users: USERS, organizations: 20 })) },
  okta: { template: 'okta-org.json', start: async () => ((d) => ({ double: d, credentials: d.sswsCredentials }))(await OktaDouble.start({ users: USERS, groups: 20 })) },
  auth0: { template: 'auth0-tenant.json', start: async (domain) => ((d) => ({ double: d, credentials: d.credentials }))(await Auth0Double.start({ users: USERS, domain })) },
};

interface RunAnswer {
  id: string;
  status: string;
  created: number;
  error: unknown;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function peakRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function startServer(env: Record<string, string | undefined>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', 'start', '--port', '0'], { env: { ...env, ALTER_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /alter listening on (http:\/\/\S+?)[\s"]/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}

async function benchProvider(kind: string): Promise<void> {
  const spec = DOUBLES[kind];
  if (!spec) throw new Error(`unknown provider ${kind}`);
  const issuer = await startFixtureIssuer({ template: spec.template });
  const { double, credentials } = await spec.start(new URL(issuer.issuer).host);
  const provider = { ...double.provider(), issuer: issuer.issuer };

  const readStarted = performance.now();
  const snapshot = await createDirectorySource(provider, parseCredentials(provider.provider_type, credentials), { allowPrivate: true }).read(() => {});
  const readMs = performance.now() - readStarted;

  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1', ...(usingPostgres ? { DATABASE_URL: await freshDatabaseUrl() } : {}) });
  const { token } = await initServer(env.ALTER_DATA_DIR, env);
  const server = await startServer(env);
  try {
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const parsed = (await res.json()) as T;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
      return parsed;
    };
    const app = await api<{ id: string }>('POST', '/v1/apps', { name: `bench ${kind}` });
    const idp = await api<{ id: string }>('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: provider.group_claim, role_claim: provider.role_claim });
    const base = `/v1/apps/${app.id}/identity-providers/${idp.id}/sync`;
    await api('POST', `${base}/enable`, { credentials });
    const started = performance.now();
    let run = await api<RunAnswer>('POST', `${base}/runs`, {});
    while (run.status === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      run = await api<RunAnswer>('GET', `${base}/runs/${run.id}`);
    }
    const runMs = performance.now() - started;
    if (run.status !== 'succeeded') throw new Error(`${kind}: run ${run.status}: ${JSON.stringify(run.error)}`);
    const rss = peakRssMb(server.child);
    const verdict = runMs < 30_000 && rss < 200 ? 'within the goal' : 'OVER the goal (30 s, 200 MB)';
    console.log(
      `directory sync, ${kind}, ${fmt(snapshot.users.length)} users, ${fmt(snapshot.memberships.length)} memberships: ` +
        `read alone ${fmt(readMs / 1000, 1)} s; full first run ${fmt(runMs / 1000, 1)} s (${fmt(runMs / readMs, 1)}× the read); ` +
        `created ${fmt(run.created)}; server peak RSS ${fmt(rss)} MB: ${verdict}`,
    );
  } finally {
    server.child.kill('SIGTERM');
    await double.close();
  }
}

try {
  console.log(`directory sync bench on ${usingPostgres ? 'PostgreSQL' : 'SQLite'}, ${fmt(USERS)} users per provider`);
  for (const kind of PROVIDERS) await benchProvider(kind);
} finally {
  await cleanupAll();
}
