// `alter completion bash|zsh|fish`, generated from the program itself: every top-level command and
// alias, nested flags and choices are there; the bash script parses and completes as a user types.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { buildProgram } from '../../src/cli/program.js';
import { withAllSubcommands } from '../../src/cli/deferred-subcommands.js';
import { createContext } from '../../src/cli/context.js';
import { processTerminal } from '../../src/cli/io/confirm.js';

const env = { PATH: process.env.PATH, HOME: tempDir('alter-home-') };

/** Every top-level command with its aliases, as the installed program defines them. */
function topLevel(): string[] {
  const ctx = createContext({ env: {}, cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: processTerminal() });
  const program: Command = buildProgram(ctx);
  return program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
}

/** Runs the generated bash completion for the words typed so far (the last one being completed). */
function bashComplete(script: string, words: string[]): string[] {
  const file = join(tempDir(), 'alter.bash');
  writeFileSync(file, script);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const res = spawnSync('bash', ['-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _alter; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean);
}

test('bash completion parses and covers every command, alias, nested flag and choice', async () => {
  const res = await cli(['completion', 'bash'], { env });
  assert.equal(res.code, 0, res.stderr);
  const file = join(tempDir(), 'alter.bash');
  writeFileSync(file, res.stdout);
  const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);

  const commands = topLevel();
  for (const name of ['server', 'auth', 'apps', 'tokens', 'keys', 'dev', 'completion']) assert.ok(commands.includes(name), name);
  assert.deepEqual(bashComplete(res.stdout, ['alter', '']).filter((w) => !w.startsWith('-')), commands);
  assert.deepEqual(bashComplete(res.stdout, ['alter', 'dev', 'provider', '--al']), ['--allow-non-loopback']);
  assert.deepEqual(bashComplete(res.stdout, ['alter', 'server', 'start', '--p']), ['--port']);
  assert.deepEqual(bashComplete(res.stdout, ['alter', '--output', '']), ['table', 'json', 'jsonl']);
  assert.deepEqual(bashComplete(res.stdout, ['alter', 'completion', 'z']), ['zsh']);
  // A flag's value is skipped when finding the command, and global flags count anywhere.
  assert.deepEqual(bashComplete(res.stdout, ['alter', '-o', 'json', 'dev', 'webhook', 'send', '--kind', '']), ['group', 'role']);
  assert.ok(bashComplete(res.stdout, ['alter', 'dev', 'token', '--']).includes('--audience'));
  assert.ok(bashComplete(res.stdout, ['alter', 'dev', 'token', '--']).includes('--app'), 'global flags are offered on subcommands');
});

test('aliases lead to the same subcommands as the command they stand for', async () => {
  const script = (await cli(['completion', 'bash'], { env })).stdout;
  const ctx = createContext({ env: {}, cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: processTerminal() });
  const aliased = withAllSubcommands(buildProgram(ctx)).commands.filter((c) => c.aliases().length && c.commands.length);
  for (const cmd of aliased) {
    for (const alias of cmd.aliases()) {
      assert.deepEqual(bashComplete(script, ['alter', alias, '']), bashComplete(script, ['alter', cmd.name(), '']), alias);
    }
  }
});

test('zsh and fish scripts name every command and nested flags', async () => {
  const commands = topLevel();
  const zsh = await cli(['completion', 'zsh'], { env });
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /^#compdef alter/);
  const fish = await cli(['completion', 'fish'], { env });
  assert.equal(fish.code, 0, fish.stderr);
  for (const name of commands) {
    assert.ok(zsh.stdout.includes(`"alter|${name}"`), `zsh: ${name}`);
    assert.ok(fish.stdout.includes(`-a '${name}'`), `fish: ${name}`);
  }
  assert.ok(zsh.stdout.includes('"alter dev provider|--state-dir"'));
  assert.ok(fish.stdout.includes("test (__alter_path) = \\'alter dev provider\\'' -l allow-non-loopback"));
  assert.ok(fish.stdout.includes("-s o -l output -x -a 'table json jsonl'"));
});

test('an unknown shell is a usage error naming the choices', async () => {
  const res = await cli(['completion', 'powershell'], { env });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /bash, zsh, fish/);
  assert.equal(res.stdout, '');
});

after(cleanupAll);
