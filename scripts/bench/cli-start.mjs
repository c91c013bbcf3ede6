#!/usr/bin/env node
// `npm run bench`, CLI start-up: the whole `alter --help` process against `node -e 0`, medians of
// interleaved runs on this machine (goal ≤ 1.3×).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/alter', import.meta.url));
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 41);

function elapsedMs(args) {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = [];
const help = [];
const command = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(elapsedMs(['-e', '0']));
  help.push(elapsedMs([BIN, '--help']));
  command.push(elapsedMs([BIN, 'users', 'list', '--help']));
}
const b = median(bare);
console.log(`CLI start: node -e 0 ${b.toFixed(1)} ms; alter --help ${median(help).toFixed(1)} ms (${(median(help) / b).toFixed(2)}×); alter users list --help ${median(command).toFixed(1)} ms (${(median(command) / b).toFixed(2)}×); goal ≤ 1.3×`);
