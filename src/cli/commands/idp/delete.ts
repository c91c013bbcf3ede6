// `alter idp delete --provider ID [--yes]`: removes the provider with its users, groups and webhook.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { confirmOrExit } from '../../io/confirm.js';
import { printDetail } from './render.js';

export function registerDelete(idp: Command, ctx: CliContext): void {
  withExamples(
    idp
      .command('delete')
      .description('delete the identity provider and everything that hangs on it (users, groups, webhook)')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--yes', 'do not ask'),
    ['alter idp delete --provider idp_0123', 'alter idp delete --provider idp_0123 --yes'],
  ).action(async (flags: { provider: string; yes?: boolean }, cmd: Command) => {
    const appId = ctx.requireApp(cmd);
    const client = ctx.client(cmd);
    await confirmOrExit(`Delete identity provider ${flags.provider}? Its users, groups and webhook go with it, and its tokens stop resolving.`, {
      yes: flags.yes,
      terminal: ctx.terminal,
    });
    const path = `/v1/apps/${encodeURIComponent(appId)}/identity-providers/${encodeURIComponent(flags.provider)}`;
    printDetail(ctx, cmd, await client.delete<Record<string, unknown>>(path));
  });
}
