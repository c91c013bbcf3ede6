// `alter idp sync enable|update|status|runs|disable`.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { confirmOrExit } from '../../../io/confirm.js';
import { readJsonObjectArg } from '../../../io/input.js';
import { printProvider } from '../render.js';
import { pageLimit } from '../../directory-args.js';
import { syncPath } from './api.js';

const CREDENTIALS_HELP = 'management-API credentials as JSON: - (stdin) or @FILE. Auth0 {"client_id","client_secret"}, Clerk {"secret_key"}, Okta {"api_token"} or {"client_id","private_key_jwk"}; any may add "api_url"';

export function registerSyncSettings(sync: Command, ctx: CliContext): void {
  withExamples(
    sync
      .command('enable')
      .description('check the credentials with the provider, store them sealed, and schedule the sync')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .requiredOption('--credentials <json>', CREDENTIALS_HELP)
      .option('--interval <duration>', 'how often: 30m, 1h, 2h, 1d (at least 5m; default 1h)')
      .option('--deletion-threshold <limit>', 'a run deprovisioning more users than this aborts: 10% (default) or a count such as 25'),
    ['alter idp sync enable --provider idp_0123 --credentials @clerk.json', 'alter idp sync enable --provider idp_0123 --credentials - --interval 30m < okta.json'],
  ).action(async (opts: { provider: string; credentials: string; interval?: string; deletionThreshold?: string }, cmd: Command) => {
    const credentials = await readJsonObjectArg(opts.credentials, '--credentials', ctx);
    const body = { credentials, ...(opts.interval ? { interval: opts.interval } : {}), ...(opts.deletionThreshold ? { deletion_threshold: opts.deletionThreshold } : {}) };
    printProvider(ctx, cmd, await ctx.client(cmd).post(syncPath(ctx, cmd, opts.provider, '/enable'), body));
    if (ctx.terminal.stderrIsTTY) ctx.notice(`Next: alter idp sync run --provider ${opts.provider} --dry-run, then without --dry-run`);
  });

  withExamples(
    sync
      .command('update')
      .description('change the credentials (checked again), the interval or the deletion threshold')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--credentials <json>', CREDENTIALS_HELP)
      .option('--interval <duration>', 'how often: 30m, 1h, 2h, 1d (at least 5m)')
      .option('--deletion-threshold <limit>', '10% or a count such as 25'),
    ['alter idp sync update --provider idp_0123 --interval 2h', 'alter idp sync update --provider idp_0123 --credentials @rotated.json'],
  ).action(async (opts: { provider: string; credentials?: string; interval?: string; deletionThreshold?: string }, cmd: Command) => {
    const credentials = opts.credentials === undefined ? undefined : await readJsonObjectArg(opts.credentials, '--credentials', ctx);
    const body = { ...(credentials ? { credentials } : {}), ...(opts.interval ? { interval: opts.interval } : {}), ...(opts.deletionThreshold ? { deletion_threshold: opts.deletionThreshold } : {}) };
    printProvider(ctx, cmd, await ctx.client(cmd).post(syncPath(ctx, cmd, opts.provider, '/update'), body));
  });

  withExamples(sync.command('status').description('settings, the last run, the next one, and warnings (never the credentials)').requiredOption('--provider <id>', 'the identity provider (idp_…)'), [
    'alter idp sync status --provider idp_0123',
  ]).action(async (opts: { provider: string }, cmd: Command) => {
    printProvider(ctx, cmd, await ctx.client(cmd).get(syncPath(ctx, cmd, opts.provider)));
  });

  withExamples(
    sync.command('runs').description('past runs, newest first').requiredOption('--provider <id>', 'the identity provider (idp_…)').option('--limit <n>', 'how many (1-1000)', pageLimit, 20),
    ['alter idp sync runs --provider idp_0123 --limit 5'],
  ).action(async (opts: { provider: string; limit: number }, cmd: Command) => {
    const { items } = await ctx.client(cmd).get<{ items: object[] }>(syncPath(ctx, cmd, opts.provider, `/runs?limit=${opts.limit}`));
    ctx.printList(cmd, items, ['id', 'trigger', 'dry_run', 'status', 'started_at', 'finished_at', 'created', 'updated', 'deprovisioned', 'memberships_added', 'memberships_removed']);
  });

  withExamples(
    sync.command('disable').description('stop syncing (the synced users stay)').requiredOption('--provider <id>', 'the identity provider (idp_…)').option('--yes', 'do not ask'),
    ['alter idp sync disable --provider idp_0123 --yes'],
  ).action(async (opts: { provider: string; yes?: boolean }, cmd: Command) => {
    const path = syncPath(ctx, cmd, opts.provider, '/disable');
    await confirmOrExit(`Disable directory sync of ${opts.provider}? Its credentials are deleted; synced users stay.`, { yes: opts.yes, terminal: ctx.terminal });
    printProvider(ctx, cmd, await ctx.client(cmd).post(path));
  });
}
