#!/usr/bin/env node
// The load generator, run as its own process so that it does not share the server's event loop.
// Sends `requests` POSTs over `connections` keep-alive connections (undici), each with the next
// token of the file as {"token": …}, and prints {count, elapsedMs, rps, p50Ms, p99Ms, statuses}.
// Usage: load.mjs URL PATH AUTHORIZATION TOKENS_FILE CONNECTIONS REQUESTS
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

const [url, path, authorization, tokensFile, connectionsArg, requestsArg] = process.argv.slice(2);
const connections = Number(connectionsArg);
const requests = Number(requestsArg);
const tokens = readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean);
const bodies = tokens.map((t) => JSON.stringify({ token: t }));
const headers = { 'content-type': 'application/json', ...(authorization === '-' ? {} : { authorization }) };
const pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });

const latencies = new Float64Array(requests);
const statuses = {};
let next = 0;

async function worker() {
  for (;;) {
    const i = next++;
    if (i >= requests) return;
    const started = performance.now();
    const res = await pool.request({ method: 'POST', path, headers, body: bodies[i % bodies.length] });
    await res.body.dump();
    latencies[i] = performance.now() - started;
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
const elapsedMs = performance.now() - started;
await pool.close();
latencies.sort();
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
process.stdout.write(
  JSON.stringify({ count: requests, elapsedMs, rps: (requests / elapsedMs) * 1000, p50Ms: pct(50), p99Ms: pct(99), statuses }) + '\n',
);
