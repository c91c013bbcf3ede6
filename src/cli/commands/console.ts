// `alter console`: a one-time sign-in URL for the web console, for the token this CLI is signed in
// with (valid 5 minutes, single use). With an app selected (--app, ALTER_APP_ID or a link) the
// console opens on that app. Text output is the URL alone, so that `open "$(alter console)"` works.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withExamples } from '../help.js';

export function registerConsole(program: Command, ctx: CliContext): void {
  withExamples(program.command('console').description('print a one-time sign-in URL for the web console (valid 5 minutes, single use)'), [
    'alter console',
    'alter console --app app_0123456789abcdef0123',
    'alter console --output json',
  ]).action(async (_opts: unknown, cmd: Command) => {
    const { app, output } = ctx.globals(cmd);
    const link = await ctx.client(cmd).post<{ url: string; expires_at: string }>('/v1/console/links', app ? { app_id: app.id } : {});
    if (output === 'json' || output === 'jsonl') return ctx.printObject(cmd, link);
    ctx.out(`${link.url}\n`);
    if (ctx.terminal.stderrIsTTY) ctx.notice(`Open it in a browser before ${link.expires_at}; it works once.`);
  });
}
