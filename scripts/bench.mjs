#!/usr/bin/env node
// `npm run bench`: the speed of /v1/identity/resolve, as ratios measured in the same run on this
// machine (absolute numbers swing with the machine; ratios hold). The server is the real built
// binary in its own process, the load generator (scripts/bench/load.mjs) another process.
//  1. distinct tokens (each needs a signature check), RS256 and ES256: resolve req/s against the
//     single-thread rate of bare crypto.verify on the same tokens (goal ≥ 0.5);
//  2. repeated tokens: resolve req/s against a fastify endpoint answering a constant with the same
//     server options (goal ≥ 0.7);
//  3. unknown-kid storm: 1000 concurrent requests signed by a key the server has not seen → JWKS fetches (goal: 1);
//  4. p50/p99 latency at 50 connections, and the server's peak RSS after many distinct tokens (bounded).
// Knobs: BENCH_DISTINCT (requests per algorithm, default 20000), BENCH_REPEATED (default 100000),
// BENCH_RSS_TOKENS (default 200000), BENCH_CONNECTIONS (default 50), BENCH_PROFILE=1 (write a
// --cpu-prof profile of the server and print its top functions), DATABASE_URL (PostgreSQL).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicKey, verify } from 'node:crypto';
import { startIssuer, mintMany } from './bench/issuer.mjs';
import { topFunctions } from './bench/profile.mjs';
import { api } from './bench/api.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/alter');
const LOAD = join(ROOT, 'scripts/bench/load.mjs');
const CONSTANT = join(ROOT, 'scripts/bench/constant-server.mjs');
const num = (name, dflt) => Number(process.env[name] ?? dflt);
const DISTINCT = num('BENCH_DISTINCT', 20_000);
const REPEATED = num('BENCH_REPEATED', 100_000);
const RSS_TOKENS = num('BENCH_RSS_TOKENS', 200_000);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const PROFILE = process.env.BENCH_PROFILE === '1';
const USERS = 100;
const WARMUP = 3000;

const work = mkdtempSync(join(tmpdir(), 'alter-bench-'));
const children = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const log = (line) => process.stderr.write(`${line}\n`);
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function startProcess(args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const onData = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function load(url, path, authorization, tokens, connections, requests) {
  const file = join(work, `tokens-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, tokens.join('\n'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, url, path, authorization, file, String(connections), String(requests)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Single-thread rate of bare crypto.verify over exactly these tokens, with the key imported once. */
function bareVerifyRate(tokens, jwk) {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const options = jwk.kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  const run = () => {
    const started = performance.now();
    for (const t of tokens) {
      const dot = t.lastIndexOf('.');
      if (!verify('sha256', Buffer.from(t.slice(0, dot)), options, Buffer.from(t.slice(dot + 1), 'base64url'))) throw new Error('bad token');
    }
    return (tokens.length / (performance.now() - started)) * 1000;
  };
  run();
  return Math.max(run(), run());
}


// ---- set-up: provider, server, app, key, identity provider, users ----
const issuer = await startIssuer();
const dataDir = join(work, 'data');
const env = { PATH: process.env.PATH, HOME: work, ALTER_DATA_DIR: dataDir, ALTER_ALLOW_PRIVATE_ISSUERS: '1', ALTER_LOG_LEVEL: 'info', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) };
const init = spawnSync(process.execPath, [BIN, 'server', 'init', '--output', 'json'], { env, encoding: 'utf8' });
if (init.status !== 0) throw new Error(`server init failed (on PostgreSQL, use an empty database): ${init.stderr}`);
const admin = JSON.parse(init.stdout).token;
const profileDir = join(work, 'profile');
const { child: server, match } = await startProcess([...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), BIN, 'server', 'start', '--port', '0'], env, /alter listening on (http:\/\/[^\s"]+)/);
const url = match[1];
const app = await api(url, admin, 'POST', '/v1/apps', { name: 'bench' });
const { key } = await api(url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'bench' });
await api(url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'groups' });
const auth = `Bearer ${key}`;
const now = Math.floor(Date.now() / 1000);
const claimsOf = (i) => ({ iss: issuer.issuer, sub: `user-${i % USERS}`, email: `user-${i % USERS}@example.com`, groups: ['staff', `team-${(i % USERS) % 7}`], iat: now, exp: now + 3600, jti: `t${i}` });

log(`alter bench — ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, ${CONNECTIONS} connections, Node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm).length} cores`);
log('minting tokens …');
const seedTokens = await mintMany(issuer.key('ES256'), USERS, (i) => claimsOf(i));
await load(url, '/v1/identity/resolve', auth, seedTokens, 10, USERS); // creates the users (JIT writes happen here, not in the runs)

const results = {};

// ---- 1. distinct tokens ----
for (const alg of ['RS256', 'ES256']) {
  const signer = issuer.key(alg);
  const tokens = await mintMany(signer, DISTINCT + WARMUP, (i) => claimsOf(i + (alg === 'RS256' ? 1e7 : 2e7)));
  const measured = tokens.slice(WARMUP);
  const bare = bareVerifyRate(measured, signer.jwk);
  await load(url, '/v1/identity/resolve', auth, tokens.slice(0, WARMUP), CONNECTIONS, WARMUP);
  const run = await load(url, '/v1/identity/resolve', auth, measured, CONNECTIONS, measured.length);
  if (run.statuses[200] !== run.count) throw new Error(`distinct ${alg}: not all 200: ${JSON.stringify(run.statuses)}`);
  results[alg] = { bare, run };
  log(`1. distinct ${alg}: resolve ${fmt(run.rps)} req/s, bare crypto.verify ${fmt(bare)}/s → ratio ${fmt(run.rps / bare, 2)} (p50 ${fmt(run.p50Ms, 2)} ms, p99 ${fmt(run.p99Ms, 2)} ms)`);
}

// ---- 2. repeated tokens vs a constant endpoint ----
const session = await mintMany(issuer.key('ES256'), USERS, (i) => claimsOf(i + 3e7));
await load(url, '/v1/identity/resolve', auth, session, CONNECTIONS, WARMUP);
const repeated = await load(url, '/v1/identity/resolve', auth, session, CONNECTIONS, REPEATED);
const { child: constant, match: cm } = await startProcess([CONSTANT], env, /listening (\d+)/);
const constantUrl = `http://127.0.0.1:${cm[1]}`;
await load(constantUrl, '/constant', auth, session, CONNECTIONS, WARMUP);
const baseline = await load(constantUrl, '/constant', auth, session, CONNECTIONS, REPEATED);
await stop(constant);
for (const alg of Object.keys(results)) log(`   distinct ${alg} against the constant endpoint: ${fmt(results[alg].run.rps / baseline.rps, 2)} (HTTP itself costs what bounds ratio 1)`);
log(`2. repeated tokens: resolve ${fmt(repeated.rps)} req/s, constant fastify endpoint ${fmt(baseline.rps)} req/s → ratio ${fmt(repeated.rps / baseline.rps, 2)} (p50 ${fmt(repeated.p50Ms, 2)} ms, p99 ${fmt(repeated.p99Ms, 2)} ms)`);

// ---- 3. unknown-kid storm ----
const rotated = issuer.addKey('RS256', 'rs-rotated');
const stormTokens = await mintMany(rotated, 1000, (i) => claimsOf(i + 4e7));
const fetchesBefore = issuer.jwksFetches;
const storm = await load(url, '/v1/identity/resolve', auth, stormTokens, 1000, 1000);
const stormFetches = issuer.jwksFetches - fetchesBefore;
log(`3. unknown-kid storm: 1000 concurrent requests → ${stormFetches} JWKS fetch(es); answers ${JSON.stringify(storm.statuses)}`);

// ---- 4. memory after many distinct tokens ----
const before = memory(server.pid);
const rssTokens = await mintMany(issuer.key('ES256'), RSS_TOKENS, (i) => claimsOf(i + 5e7));
const rssRun = await load(url, '/v1/identity/resolve', auth, rssTokens, CONNECTIONS, RSS_TOKENS);
const after = memory(server.pid);
log(`4. latency at ${CONNECTIONS} connections: distinct RS256 p50 ${fmt(results.RS256.run.p50Ms, 2)} ms / p99 ${fmt(results.RS256.run.p99Ms, 2)} ms; repeated p50 ${fmt(repeated.p50Ms, 2)} ms / p99 ${fmt(repeated.p99Ms, 2)} ms`);
log(`   memory: RSS ${fmt(before.rssMb)} MB before, ${fmt(after.rssMb)} MB after ${fmt(RSS_TOKENS)} more distinct tokens (${fmt(rssRun.rps)} req/s); peak ${fmt(after.peakMb)} MB`);

await stop(server);
await issuer.close();
if (PROFILE) {
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  log('\nserver CPU profile, top self time:');
  for (const f of topFunctions(join(profileDir, file), 15)) log(`  ${fmt(f.percent, 1).padStart(5)} %  ${f.name}  ${f.where}`);
}

process.stdout.write(
  JSON.stringify(
    {
      distinct: Object.fromEntries(Object.entries(results).map(([alg, r]) => [alg, { resolve_rps: r.run.rps, bare_verify_per_s: r.bare, ratio: r.run.rps / r.bare, goal: 0.5, vs_constant_endpoint: r.run.rps / baseline.rps }])),
      repeated: { resolve_rps: repeated.rps, constant_rps: baseline.rps, ratio: repeated.rps / baseline.rps, goal: 0.7 },
      unknown_kid_storm: { requests: 1000, jwks_fetches: stormFetches, goal: 1 },
      latency_ms: { connections: CONNECTIONS, distinct_rs256: { p50: results.RS256.run.p50Ms, p99: results.RS256.run.p99Ms }, repeated: { p50: repeated.p50Ms, p99: repeated.p99Ms } },
      memory_mb: { distinct_tokens: RSS_TOKENS, rss_before: before.rssMb, rss_after: after.rssMb, peak: after.peakMb },
    },
    null,
    2,
  ) + '\n',
);
