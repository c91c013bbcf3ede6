#!/usr/bin/env node
// `npm run bench`, the paths of resolution, each workload against a floor measured right before it
// on the same tokens: a plain node:http server that only checks the signature (floor-server.mjs).
// ES256 tokens, 50 connections, the load generator in its own process:
//  - steady: new tokens of known users whose claims change nothing (no store write);
//  - changing groups: new tokens of known users whose groups differ each time (one write each);
//  - new users: tokens of users never seen before (a user created each time).
// Knobs: BENCH_WRITES (requests per workload, default 6000), BENCH_CONNECTIONS (default 50),
// BENCH_ROUNDS (interleaved floor/product rounds, default 2; the best of each is kept),
// BENCH_WORKLOADS (a comma-separated subset, e.g. "new users"),
// DATABASE_URL (PostgreSQL: use an empty database), BENCH_PROFILE=1 (a CPU profile of the server
// during the workloads: its top functions are printed).
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const USERS = 200;

const work = mkdtempSync(join(tmpdir(), 'alter-bench-writes-'));
let server;
let floor;
process.on('exit', () => {
  server?.kill('SIGKILL');
  floor?.kill('SIGKILL');
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
let metricsUrl = null;
const url = await new Promise((resolve, reject) => {
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profile')}`] : [];
  server = spawn(process.execPath, [...profile, BIN, 'server', 'start', '--port', '0', '--metrics-port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d) => {
    out += d.toString();
    metricsUrl ??= /metrics on (http:\/\/[^\s"]+)/.exec(out)?.[1] ?? null;
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
// Two sets of known users: the changing-groups workload leaves its users with groups that a steady
// token would remove, so steady rounds after it must not share them.
await load(url, auth, await mintMany(signer, 2 * USERS, (i) => claims(i < USERS ? `known-${i}` : `churn-${i - USERS}`, ['staff'], i)));
const floorUrl = await new Promise((resolve, reject) => {
  floor = spawn(process.execPath, [join(ROOT, 'scripts/bench/floor-server.mjs'), JSON.stringify(signer.jwk)], { stdio: ['ignore', 'pipe', 'inherit'] });
  floor.stdout.once('data', (d) => resolve(`http://127.0.0.1:${/listening (\d+)/.exec(d.toString())[1]}`));
  floor.once('exit', (code) => reject(new Error(`floor server exited ${code}`)));
});
// Each round mints fresh tokens (a token resolved once is cached: it would change nothing again)
// for fresh subjects of "new users", and runs the floor, then the product, on the same tokens.
const workloads = {
  steady: (r) => (i) => claims(`known-${i % USERS}`, ['staff'], `s${r}-${i}`),
  'changing groups': (r) => (i) => claims(`churn-${i % USERS}`, ['staff', `rota-${r}-${i}`], `g${r}-${i}`),
  'new users': (r) => (i) => claims(`new-${r}-${i}`, ['staff'], `n${r}-${i}`),
};
const only = process.env.BENCH_WORKLOADS?.split(',');
for (const name of Object.keys(workloads)) if (only && !only.includes(name)) delete workloads[name];
/** Writes and batches committed so far, from the server's group-commit histogram. */
async function batches() {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { writes: value('alter_store_write_batch_writes_sum'), batches: value('alter_store_write_batch_writes_count') };
}
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, claimsOf] of Object.entries(workloads)) {
    const tokens = await mintMany(signer, REQUESTS, claimsOf(round));
    const base = await load(floorUrl, '-', tokens);
    const before = await batches();
    const run = await load(url, auth, tokens);
    const after = await batches();
    run.perBatch = (after.writes - before.writes) / Math.max(1, after.batches - before.batches);
    if (run.statuses['200'] !== tokens.length) throw new Error(`${name}: statuses ${JSON.stringify(run.statuses)}`);
    const ratio = run.rps / base.rps;
    if (!results[name] || ratio > results[name].ratio) results[name] = { ...run, floor: base.rps, floorP99Ms: base.p99Ms, ratio };
  }
}
const goals = { steady: 0.8, 'changing groups': process.env.DATABASE_URL ? 0.4 : 0.5, 'new users': process.env.DATABASE_URL ? 0.4 : 0.5 };
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(16)} ${r.rps.toFixed(0).padStart(6)} req/s ÷ floor ${r.floor.toFixed(0).padStart(6)} = ${r.ratio.toFixed(2)} (goal ≥ ${goals[name]})  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms (floor's ${r.floorP99Ms.toFixed(1)})${r.perBatch ? `  ${r.perBatch.toFixed(1)} writes per commit` : ''}`);
}
await issuer.close();
if (process.env.BENCH_PROFILE === '1') {
  await new Promise((resolve) => {
    server.once('exit', resolve);
    server.kill('SIGTERM');
  });
  const { readdirSync } = await import('node:fs');
  // One profile per thread (CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile): the main
  // thread is 0, the writer thread and its checkpointer follow.
  const files = readdirSync(join(work, 'profile')).sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
  for (const file of files) {
    console.log(`thread ${file.split('.')[4]}:`);
    for (const f of topFunctions(join(work, 'profile', file), 20)) console.log(`${f.percent.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
  }
}
process.exit(0);
