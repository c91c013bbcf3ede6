// `alter idp show [--provider ID]`: the app's provider (never its wallet secret).
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { printDetail } from './render.js';

export function registerShow(idp: Command, ctx: CliContext): void {
  withExamples(
    idp.command('show').description("show the app's identity provider").option('--provider <id>', "the identity provider (idp_…); default: the app's provider"),
    ['alter idp show --app app_0123', 'alter idp show --provider idp_0123 --output table'],
  ).action(async (flags: { provider?: string }, cmd: Command) => {
    const appId = encodeURIComponent(ctx.requireApp(cmd));
    const which = flags.provider ? encodeURIComponent(flags.provider) : 'current';
    printDetail(ctx, cmd, await ctx.client(cmd).get<Record<string, unknown>>(`/v1/apps/${appId}/identity-providers/${which}`));
  });
}
