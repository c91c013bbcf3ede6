// `alter demo` (also `npm run demo`): the quickstart. Everything runs on loopback in a temporary
// workspace that is removed at the end; the demo modules load only when it runs.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { AlterError } from '../../errors.js';
import { withExamples } from '../help.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  withExamples(
    program
      .command('demo')
      .description('the whole story in one command, offline: server, local OpenID Provider, provider setup, token resolution, a webhook deprovisioning a user'),
    ['alter demo', 'npm run demo'],
  ).action(async () => {
    const { runDemo } = await import('../../demo/run.js');
    if (!(await runDemo((text) => ctx.out(text)))) throw new AlterError('internal', 'the demo failed: see the ✗ step above');
  });
}
