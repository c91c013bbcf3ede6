#!/usr/bin/env node
// `npm run bench`, the paths of resolution that write, against the read-only path measured in the
// same run on the same server (ES256 tokens, 50 connections, load generator in its own process):
//  - steady: new tokens of known users whose claims change nothing (no store write);
//  - changing groups: new tokens of known users whose groups differ each time (one write each);
//  - new users: tokens of users never seen before (a user created each time).
// Knobs: BENCH_WRITES (requests per workload, default 6000), BENCH_CONNECTIONS (default 50),
// DATABASE_URL (PostgreSQL: use an empty database), BENCH_PROFILE=1 (a CPU profile of the server
// during the changing-groups workload: its top functions are printed).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIssuer, mintMany } from './issuer.mjs';
import { topFunctions } from './profile.mjs';
import { api } from './api.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/alter');
const LOAD = join(ROOT, 'scripts/bench/load.mjs');
const REQUESTS = Number(process.env.BENCH_WRITES ?? 6000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USERS = 200;

const work = mkdtempSync(join(tmpdir(), 'alter-bench-writes-'));
let server;
process.on('exit', () => {
  server?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function load(url, authorization, tokens) {
  const file = join(work, `tokens-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, tokens.join('\n'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, url, '/v1/identity/resolve', authorization, file, String(CONNECTIONS), String(tokens.length)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}


const issuer = await startIssuer();
const env = { PATH: process.env.PATH, HOME: work, ALTER_DATA_DIR: join(work, 'data'), ALTER_ALLOW_PRIVATE_ISSUERS: '1', ALTER_LOG_LEVEL: 'info', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) };
const init = spawnSync(process.execPath, [BIN, 'server', 'init', '--output', 'json'], { env, encoding: 'utf8' });
if (init.status !== 0) throw new Error(`server init failed (on PostgreSQL, use an empty database): ${init.stderr}`);
const admin = JSON.parse(init.stdout).token;
const url = await new Promise((resolve, reject) => {
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profile')}`] : [];
  server = spawn(process.execPath, [...profile, BIN, 'server', 'start', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d) => {
    out += d.toString();
    const m = /alter listening on (http:\/\/[^\s"]+)/.exec(out);
    if (m) resolve(m[1]);
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.once('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
});
const app = await api(url, admin, 'POST', '/v1/apps', { name: 'bench writes' });
const { key } = await api(url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'bench' });
await api(url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'groups' });
const auth = `Bearer ${key}`;
const now = Math.floor(Date.now() / 1000);
const signer = issuer.key('ES256');
const claims = (sub, groups, i) => ({ iss: issuer.issuer, sub, email: `${sub}@example.com`, groups, iat: now, exp: now + 3600, jti: `w${i}` });

process.stderr.write(`resolve writes — ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, ${CONNECTIONS} connections, ${REQUESTS} requests per workload\n`);
await load(url, auth, await mintMany(signer, USERS, (i) => claims(`known-${i}`, ['staff'], i)));
const workloads = {
  steady: await mintMany(signer, REQUESTS, (i) => claims(`known-${i % USERS}`, ['staff'], 1e6 + i)),
  'changing groups': await mintMany(signer, REQUESTS, (i) => claims(`known-${i % USERS}`, ['staff', `rota-${i}`], 2e6 + i)),
  'new users': await mintMany(signer, REQUESTS, (i) => claims(`new-${i}`, ['staff'], 3e6 + i)),
};
const results = {};
for (const [name, tokens] of Object.entries(workloads)) {
  const run = await load(url, auth, tokens);
  if (run.statuses['200'] !== tokens.length) throw new Error(`${name}: statuses ${JSON.stringify(run.statuses)}`);
  results[name] = run;
}
const base = results.steady.rps;
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(16)} ${r.rps.toFixed(0).padStart(6)} req/s  (${(r.rps / base).toFixed(2)} of steady)  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms`);
}
await issuer.close();
if (process.env.BENCH_PROFILE === '1') {
  await new Promise((resolve) => {
    server.once('exit', resolve);
    server.kill('SIGTERM');
  });
  const { readdirSync } = await import('node:fs');
  const file = readdirSync(join(work, 'profile'))[0];
  for (const f of topFunctions(join(work, 'profile', file), 20)) console.log(`${f.percent.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
}
process.exit(0);
