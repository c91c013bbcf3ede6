// `alter idp webhook rotate --provider ID [--secret …] [--yes]`: the old secret stops working at once.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { readValueArg } from '../../../io/input.js';
import { confirmOrExit } from '../../../io/confirm.js';
import { AlterError } from '../../../../errors.js';
import { printShownOnce, webhookPath, type ShownOnce } from './api.js';

export function registerWebhookRotate(webhook: Command, ctx: CliContext): void {
  withExamples(
    webhook
      .command('rotate')
      .description('replace the webhook secret; the previous one stops working at once')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--secret <value>', 'the new secret: - (stdin, needs --yes), @FILE, or the value; generated when omitted (except Clerk)')
      .option('--yes', 'do not ask'),
    ['alter idp webhook rotate --provider idp_0123', 'alter idp webhook rotate --provider idp_0123 --secret - --yes < new-whsec.txt'],
  ).action(async (opts: { provider: string; secret?: string; yes?: boolean }, cmd: Command) => {
    // Decided before reading anything: with the secret on stdin, nothing is left to answer a prompt.
    if (opts.secret === '-' && !opts.yes) throw new AlterError('usage', '--secret - needs --yes: stdin cannot carry both the secret and the answer to the confirmation');
    const path = webhookPath(ctx, cmd, opts.provider, 'rotate');
    const client = ctx.client(cmd);
    const secret = opts.secret === undefined ? undefined : await readValueArg(opts.secret, '--secret', ctx);
    await confirmOrExit(`Rotate the webhook secret of ${opts.provider}? The current secret stops working at once; update it at the provider right after.`, {
      yes: opts.yes,
      terminal: ctx.terminal,
    });
    printShownOnce(ctx, cmd, await client.post<ShownOnce>(path, secret === undefined ? {} : { secret }), false, secret);
  });
}
