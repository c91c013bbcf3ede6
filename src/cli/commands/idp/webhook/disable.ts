// `alter idp webhook disable --provider ID [--yes]`: deliveries then get 404; the secret is destroyed.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { confirmOrExit } from '../../../io/confirm.js';
import { webhookPath } from './api.js';

export function registerWebhookDisable(webhook: Command, ctx: CliContext): void {
  withExamples(
    webhook.command('disable').description('turn off the webhook receiver and destroy its secret').requiredOption('--provider <id>', 'the identity provider (idp_…)').option('--yes', 'do not ask'),
    ['alter idp webhook disable --provider idp_0123 --yes'],
  ).action(async (opts: { provider: string; yes?: boolean }, cmd: Command) => {
    const path = webhookPath(ctx, cmd, opts.provider, 'disable');
    const client = ctx.client(cmd);
    await confirmOrExit(`Disable the webhook of ${opts.provider}? Deliveries are refused from now on and the secret is destroyed.`, { yes: opts.yes, terminal: ctx.terminal });
    ctx.printObject(cmd, await client.post<object>(path));
  });
}
