// `alter idp update --provider ID …`: changes what is given. A new issuer re-runs discovery, new
// wallet credentials are checked again, and locked claim mappings cannot change (exit 5).
import type { Command } from 'commander';
import { AlterError } from '../../../errors.js';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { addProviderFlags, readProviderBody, type ProviderFlags } from './provider-input.js';
import { printProvider, withSpinner } from './render.js';

export function registerUpdate(idp: Command, ctx: CliContext): void {
  const update = idp.command('update').description("change the app's identity provider").requiredOption('--provider <id>', 'the identity provider (idp_…)');
  withExamples(addProviderFlags(update, { clearable: true }), [
    'alter idp update --provider idp_0123 --audience https://api.example.com',
    'alter idp update --provider idp_0123 --group-claim https://example.com/groups',
    'alter idp update --provider idp_0123 --wallet-client-secret @/run/secrets/idp-client-secret',
  ]).action(async (flags: ProviderFlags & { provider: string }, cmd: Command) => {
    const appId = ctx.requireApp(cmd);
    const body = await readProviderBody(flags, ctx, 'update');
    if (!Object.keys(body).length) throw new AlterError('usage', 'nothing to update: give at least one of the provider flags (see --help) or --input');
    const client = ctx.client(cmd);
    const path = `/v1/apps/${encodeURIComponent(appId)}/identity-providers/${encodeURIComponent(flags.provider)}`;
    const result = await withSpinner(ctx, 'updating …', () => client.patch<Record<string, unknown>>(path, body));
    printProvider(ctx, cmd, result);
  });
}
