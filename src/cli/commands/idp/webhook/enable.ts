// `alter idp webhook enable --provider ID [--secret -|@file|value]`
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { readValueArg } from '../../../io/input.js';
import { printShownOnce, webhookPath, type ShownOnce } from './api.js';

export function registerWebhookEnable(webhook: Command, ctx: CliContext): void {
  withExamples(
    webhook
      .command('enable')
      .description('turn on the webhook receiver; prints its URL and the secret (once)')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--secret <value>', 'the secret: - (stdin), @FILE, or the value; Clerk needs its endpoint’s whsec_… secret, others get a generated one'),
    [
      'alter idp webhook enable --provider idp_0123',
      'alter idp webhook enable --provider idp_0123 --secret @clerk-signing-secret.txt',
      'pbpaste | alter idp webhook enable --provider idp_0123 --secret -',
    ],
  ).action(async (opts: { provider: string; secret?: string }, cmd: Command) => {
    const path = webhookPath(ctx, cmd, opts.provider, 'enable');
    const client = ctx.client(cmd);
    const secret = opts.secret === undefined ? undefined : await readValueArg(opts.secret, '--secret', ctx);
    printShownOnce(ctx, cmd, await client.post<ShownOnce>(path, secret === undefined ? {} : { secret }), true, secret);
  });
}
