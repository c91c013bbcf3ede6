// `npm run soak`: resolve load on the real server for minutes while the world misbehaves as it
// does in production: the provider's JWKS endpoint goes down and comes back, its keys rotate, and
// webhooks deprovision users. Prints every unexpected answer (goal: none beyond the expected
// refusals), p50/p99 latency, and the server's RSS at the start and the end (goal: flat).
// Knobs: SOAK_SECONDS (default 120), SOAK_CONNECTIONS (default 20), DATABASE_URL (PostgreSQL).
// Everything runs on loopback; the load is bounded in time and stops by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanupAll, freshDatabaseUrl, testEnv, usingPostgres } from '../test/helpers/env.js';
import { startFixtureIssuer } from '../test/helpers/fixture-issuer.js';
import { initServer } from '../src/server/lifecycle.js';
import { FAILED_REFETCH_COOLDOWN_MS } from '../src/idp/jwks-cache.js';

const BIN = fileURLToPath(new URL('../bin/alter', import.meta.url));
const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 20);
const USERS = 500;

const rssMb = (child: ChildProcess): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startServer(env: Record<string, string | undefined>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', 'start', '--port', '0'], { env: { ...env, ALTER_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 100_000) out += d.toString();
      const m = /alter listening on (http:\/\/\S+?)[\s"]/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function main(): Promise<number> {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1', ALTER_LOG_LEVEL: 'warn', ...(usingPostgres ? { DATABASE_URL: await freshDatabaseUrl() } : {}) });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  const server = await startServer(env);
  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, string>> => {
    const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    return (await res.json()) as Record<string, string>;
  };
  const app = await api('POST', '/v1/apps', { name: 'soak' });
  const key = (await api('POST', `/v1/apps/${app.id}/keys`, { name: 'load' })).key!;
  const provider = await api('POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const hook = await api('POST', `/v1/apps/${app.id}/identity-providers/${provider.id}/webhook/enable`, {});
  const jwksPath = new URL(issuer.jwksUri).pathname;

  const deprovisioned = new Set<string>();
  const outcomes = new Map<string, number>();
  const unexpected: string[] = [];
  const latencies: number[] = [];
  // While the JWKS is down, and for one failed-refetch cooldown after, a token signed by a key
  // rotated in meanwhile cannot be checked yet: its refusal (unknown_key) is expected.
  let keysUnreachable = false;
  const count = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);

  const rssStart = rssMb(server.child);
  const deadline = Date.now() + SECONDS * 1000;
  console.log(`soak: ${SECONDS} s, ${CONNECTIONS} connections, ${USERS} users, on ${usingPostgres ? 'PostgreSQL' : 'SQLite'}; server RSS at start ${fmt(rssStart)} MB`);

  const worker = async (n: number): Promise<void> => {
    for (let i = 0; Date.now() < deadline; i++) {
      const sub = `user-${(n * 7919 + i) % USERS}`;
      const token = await issuer.mint({ sub, groups: [`g${i % 3}`], jti: `${n}-${i}` });
      const started = performance.now();
      try {
        const res = await fetch(`${server.url}/v1/identity/resolve`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
        const body = (await res.json()) as { error?: { reason?: string } };
        latencies.push(performance.now() - started);
        const reason = body.error?.reason;
        if (res.status === 200) count('200');
        else if (res.status === 401 && reason === 'deprovisioned' && deprovisioned.has(sub)) count('401 deprovisioned (expected)');
        else if (res.status === 401 && reason === 'unknown_key' && keysUnreachable) count('401 unknown_key while the new keys cannot be fetched (expected)');
        else unexpected.push(`${res.status} ${JSON.stringify(body)} for ${sub}`);
      } catch (err) {
        unexpected.push(`request failed: ${String(err)}`);
      }
    }
  };

  const chaos = async (): Promise<void> => {
    for (let round = 0; Date.now() < deadline - 5000; round++) {
      await sleep(5000);
      if (round % 3 === 0) {
        keysUnreachable = true;
        issuer.override(jwksPath, { status: 503, body: 'down' });
        await issuer.rotate();
        console.log(`  ${fmt((SECONDS * 1000 - (deadline - Date.now())) / 1000)} s: JWKS down, keys rotated`);
        await sleep(4000);
        issuer.override(jwksPath, null);
        await sleep(FAILED_REFETCH_COOLDOWN_MS + 1000);
        keysUnreachable = false;
        console.log(`  ${fmt((SECONDS * 1000 - (deadline - Date.now())) / 1000)} s: JWKS back`);
      } else {
        const victim = `user-${(round * 37) % USERS}`;
        const res = await fetch(hook.url!, { method: 'POST', headers: { authorization: hook.secret!, 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ id: `soak-${round}`, type: 'user.deleted', user_id: victim }] }) });
        if (res.status !== 200) unexpected.push(`webhook answered ${res.status}`);
        deprovisioned.add(victim);
        console.log(`  ${fmt((SECONDS * 1000 - (deadline - Date.now())) / 1000)} s: webhook deprovisioned ${victim}`);
      }
    }
  };

  await Promise.all([...Array.from({ length: CONNECTIONS }, (_, n) => worker(n)), chaos()]);
  const rssEnd = rssMb(server.child);
  server.child.kill('SIGTERM');
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  console.log(`requests ${fmt(latencies.length)} (${fmt(latencies.length / SECONDS)}/s): ${[...outcomes].map(([k, v]) => `${k}: ${fmt(v)}`).join(', ')}`);
  console.log(`latency p50 ${fmt(pct(0.5), 1)} ms, p99 ${fmt(pct(0.99), 1)} ms; server RSS ${fmt(rssStart)} → ${fmt(rssEnd)} MB`);
  console.log(unexpected.length ? `UNEXPECTED (${unexpected.length}):\n  ${[...new Set(unexpected)].slice(0, 20).join('\n  ')}` : 'unexpected answers: none');
  return unexpected.length ? 1 : 0;
}

try {
  process.exitCode = await main();
} finally {
  await cleanupAll();
}
process.exit();
