#!/usr/bin/env node
// Runs every test file under test/ with node's test runner (Node 20's --test takes no globs and
// skips .ts files, so the files are listed here). Extra arguments filter by path substring.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'helpers' || name === 'fixtures') return [];
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => !filters.length || filters.some((s) => f.includes(s))).sort();
if (!files.length) {
  console.error('no test files matched');
  process.exit(1);
}
console.log(`running ${files.length} test files${process.env.DATABASE_URL ? ' on PostgreSQL' : ' on SQLite'}:\n  ${files.map((f) => relative('.', f)).join('\n  ')}`);
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
