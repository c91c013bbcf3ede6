// `alter audit`: who changed what, when (newest first).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { withExamples } from '../help.js';

export function registerAudit(program: Command, ctx: CliContext): void {
  withExamples(
    program
      .command('audit')
      .description('list audit events, newest first (all apps unless --app or ALTER_APP_ID / a link selects one)')
      .option('--limit <n>', 'how many events (1-1000)', (v) => {
        if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a whole number');
        return Number(v);
      }, 50),
    ['alter audit --limit 20', 'alter audit --app app_0123 --output jsonl'],
  ).action(async (opts: { limit: number }, cmd: Command) => {
    const { app } = ctx.globals(cmd);
    const qs = new URLSearchParams({ limit: String(opts.limit) });
    if (app) qs.set('app_id', app.id);
    const { items } = await ctx.client(cmd).get<{ items: object[] }>(`/v1/audit?${qs.toString()}`);
    ctx.printList(cmd, items, ['at', 'actor', 'action', 'app_id', 'target']);
  });
}
