// `alter identity-providers` (alias `alter idp`): the namespace, and every subcommand in one list.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { registerDiscover } from './discover.js';
import { registerCreate } from './create.js';
import { registerShow } from './show.js';
import { registerUpdate } from './update.js';
import { registerDelete } from './delete.js';
import { registerWebhook } from './webhook/index.js';
import { registerTestToken } from './test-token.js';
import { registerSync } from './sync/index.js';
import { registerScim } from './scim/index.js';

export type IdpRegistrar = (idp: Command, ctx: CliContext) => void;

export const IDP_SUBCOMMANDS: IdpRegistrar[] = [registerDiscover, registerCreate, registerShow, registerUpdate, registerDelete, registerWebhook, registerSync, registerScim, registerTestToken];

export function registerIdentityProviders(program: Command, ctx: CliContext): void {
  const idp = withExamples(
    program
      .command('identity-providers')
      .alias('idp')
      .description("trust an external OpenID Connect provider (Auth0, Clerk, Okta, any OIDC) for the app's end users"),
    [
      'alter idp discover --issuer-url https://acme.okta.com',
      'alter idp create --issuer-url https://acme.okta.com --audience https://api.example.com --app app_0123',
      'alter idp show --app app_0123',
    ],
  );
  deferSubcommands(idp, () => {
    for (const register of IDP_SUBCOMMANDS) register(idp, ctx);
  });
}
