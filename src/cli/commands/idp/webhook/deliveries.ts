// `alter idp webhook deliveries --provider ID [--limit N]`: the latest deliveries, newest first,
// each accepted or refused with the reason (never a body or a secret).
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { pageLimit } from '../../directory-args.js';
import { webhookPath } from './api.js';

export function registerWebhookDeliveries(webhook: Command, ctx: CliContext): void {
  withExamples(
    webhook
      .command('deliveries')
      .description('list the latest deliveries, newest first, with the reason of each refusal')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--limit <n>', 'how many deliveries (1-100; the server keeps the latest 100)', pageLimit, 20),
    ['alter idp webhook deliveries --provider idp_0123', 'alter idp webhook deliveries --provider idp_0123 --limit 100 --output jsonl'],
  ).action(async (opts: { provider: string; limit: number }, cmd: Command) => {
    const { items } = await ctx.client(cmd).get<{ items: object[] }>(`${webhookPath(ctx, cmd, opts.provider, 'deliveries')}?limit=${opts.limit}`);
    ctx.printList(cmd, items, ['received_at', 'outcome', 'event_type', 'events', 'reason']);
  });
}
