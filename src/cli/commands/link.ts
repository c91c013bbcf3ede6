// `alter link APP_ID` / `alter unlink`: a workspace (this directory and those below it) acts on one app.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withExamples } from '../help.js';
import { removeLink, writeLink } from '../config.js';

export function registerLink(program: Command, ctx: CliContext): void {
  withExamples(
    program.command('link').description('link this directory (and those below it) to an app').argument('<app-id>', 'the app to link'),
    ['alter link app_0123456789abcdef0123'],
  ).action(async (appId: string, _opts: unknown, cmd: Command) => {
    // Check the app exists and the token may use it before writing anything.
    await ctx.client(cmd).get(`/v1/apps/${encodeURIComponent(appId)}`);
    const file = writeLink(ctx.cwd, appId);
    ctx.printObject(cmd, { app_id: appId, file });
  });

  withExamples(program.command('unlink').description('remove the link file of this directory'), ['alter unlink']).action(() => {
    const file = removeLink(ctx.cwd);
    ctx.notice(file ? `Removed ${file}` : 'This directory is not linked; nothing to remove');
  });
}
