// `alter idp sync …`: keep the directory true by pulling users, groups and roles from the
// provider's management API, on a schedule and on demand.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { registerSyncSettings } from './settings.js';
import { registerSyncRun } from './run.js';

export function registerSync(idp: Command, ctx: CliContext): void {
  const sync = withExamples(idp.command('sync').description('pull users, groups and roles from the provider’s management API (Auth0, Clerk, Okta)'), [
    'alter idp sync enable --provider idp_0123 --credentials @auth0-m2m.json',
    'alter idp sync run --provider idp_0123 --dry-run',
    'alter idp sync status --provider idp_0123',
  ]);
  registerSyncSettings(sync, ctx);
  registerSyncRun(sync, ctx);
}
