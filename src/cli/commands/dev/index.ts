// `alter dev …`: tools for trying alter without a hosted identity provider — a local OpenID
// Provider, access tokens for its test users, and lifecycle events sent as a provider would.
// oidc-provider and the dev modules load only inside the actions.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { registerDevProvider } from './provider.js';
import { registerDevToken } from './token.js';
import { registerDevWebhook } from './webhook.js';

export function registerDev(program: Command, ctx: CliContext): void {
  const dev = withExamples(program.command('dev').description('a local OpenID Provider, test tokens and webhook events for development'), [
    'alter dev provider --port 9090',
    'alter dev token --user alice --audience https://api.example.test',
    'alter dev webhook send --url "$WEBHOOK_URL" --secret @webhook.secret --type user.deleted --user alice',
  ]);
  deferSubcommands(dev, () => {
    registerDevProvider(dev, ctx);
    registerDevToken(dev, ctx);
    registerDevWebhook(dev, ctx);
  });
}
