// `alter demo` end to end through the real binary: every step passes, it finishes well under a
// minute, and neither a finished nor an interrupted demo leaves a process or a directory behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { BIN, cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';

/** Pids of live processes whose environment mentions `marker` (the demo's own temp directory). */
function processesMentioning(marker: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker) || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // exited meanwhile, or not ours to read
      }
    })
    .map(Number);
}

function demoEnv() {
  // A TMPDIR of its own: whatever the demo leaves in it is a leak.
  const tmp = tempDir('alter-demo-tmp-');
  return { tmp, env: { PATH: process.env.PATH, HOME: tempDir('alter-home-'), TMPDIR: tmp } };
}

test('alter demo runs the whole story, exits 0 well under a minute, and leaves nothing behind', async () => {
  const { tmp, env } = demoEnv();
  const started = Date.now();
  const res = await cli(['demo'], { env, timeoutMs: 90_000 });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(res.code, 0, `${res.stdout.slice(-3000)}\n${res.stderr}`);
  assert.ok(seconds < 45, `took ${seconds} s`);
  const summary = res.stdout.split('\n').filter((l) => /^[✓✗] /.test(l));
  assert.equal(summary.length, 17, summary.join('\n'));
  assert.ok(summary.every((l) => l.startsWith('✓')), summary.join('\n'));
  for (const typed of ['$ alter server init', '$ alter auth login', '$ alter apps create', '$ alter idp discover', '$ alter idp create', '$ alter keys mint', '$ alter idp webhook enable', '$ alter dev webhook send', '$ alter idp webhook status', '$ curl -s -X POST']) {
    assert.ok(res.stdout.includes(typed), `shows ${typed}`);
  }
  assert.match(res.stdout, /"reason": "deprovisioned"/);
  assert.deepEqual(readdirSync(tmp), [], 'temporary workspace removed');
  assert.deepEqual(processesMentioning(tmp), [], 'no process left');
});

test('an interrupted demo (SIGINT, as Ctrl-C) stops its server and provider and removes its workspace', async () => {
  const { tmp, env } = demoEnv();
  const child = spawn(process.execPath, [BIN, 'demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Interrupt once both background processes run: the provider's banner follows the server's start.
  const deadline = Date.now() + 30_000;
  while (!out.includes('$ alter auth login') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(out.includes('$ alter auth login'), out);
  assert.ok(processesMentioning(tmp).length >= 2, 'server and provider are running before the interrupt');
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(out, /SIGINT: stopping the demo and cleaning up/);
  assert.deepEqual(readdirSync(tmp), [], 'temporary workspace removed');
  assert.deepEqual(processesMentioning(tmp), [], 'no process left');
});

after(cleanupAll);
