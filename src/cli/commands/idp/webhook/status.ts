// `alter idp webhook status --provider ID`: counters, last event and rejection; never the secret.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { webhookPath } from './api.js';

export function registerWebhookStatus(webhook: Command, ctx: CliContext): void {
  withExamples(webhook.command('status').description('show whether deliveries arrive and are accepted (never the secret)').requiredOption('--provider <id>', 'the identity provider (idp_…)'), [
    'alter idp webhook status --provider idp_0123',
    'alter idp webhook status --provider idp_0123 --fields events_received,last_event_at',
  ]).action(async (opts: { provider: string }, cmd: Command) => {
    const status = await ctx.client(cmd).get<{ warnings?: Array<{ message: string }> }>(webhookPath(ctx, cmd, opts.provider, 'status'));
    ctx.printObject(cmd, status);
    for (const w of status.warnings ?? []) ctx.notice(`warning: ${w.message}`);
  });
}
