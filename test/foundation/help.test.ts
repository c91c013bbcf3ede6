// Every command's --help lists the global options it accepts (--api-url, --app, --output,
// --fields), as gh shows inherited flags: checked for every command of the program, and once
// through the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { createContext } from '../../src/cli/context.js';
import { withAllSubcommands } from '../../src/cli/deferred-subcommands.js';
import { cli } from '../helpers/cli.js';

const GLOBALS = ['--api-url <url>', '--app <id>', '--output <format>', '--fields <names>'];

function everyCommand(cmd: Command, path: string[] = []): Array<{ path: string; cmd: Command }> {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()].join(' '), cmd: c }, ...everyCommand(c, [...path, c.name()])]);
}

test('every command’s help lists the global options', () => {
  const io = { env: {}, cwd: process.cwd(), stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), terminal: { stdinIsTTY: false, stderrIsTTY: false } };
  const commands = everyCommand(withAllSubcommands(buildProgram(createContext(io))));
  assert.ok(commands.length > 50, `${commands.length} commands`);
  for (const { path, cmd } of commands) {
    const help = cmd.helpInformation();
    assert.match(help, /Global Options:/, `alter ${path} --help`);
    for (const option of GLOBALS) assert.ok(help.includes(option), `alter ${path} --help lacks ${option}`);
  }
});

test('through the binary: alter idp sync run --help', async () => {
  const res = await cli(['idp', 'sync', 'run', '--help'], { env: { PATH: process.env.PATH } });
  assert.equal(res.code, 0);
  assert.match(res.stdout, /Global Options:[\s\S]*--app <id>[\s\S]*--fields <names>/);
});
