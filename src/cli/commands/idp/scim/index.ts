// `alter idp scim enable|rotate|disable|status`: let the provider push users and groups over
// SCIM 2.0 (Okta, Microsoft Entra ID). The bearer token is shown once, by enable and rotate.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { confirmOrExit } from '../../../io/confirm.js';

const path = (ctx: CliContext, cmd: Command, providerId: string, action: string): string =>
  `/v1/apps/${encodeURIComponent(ctx.requireApp(cmd))}/identity-providers/${encodeURIComponent(providerId)}/scim/${action}`;

function printToken(ctx: CliContext, cmd: Command, shown: object): void {
  ctx.printObject(cmd, shown);
  ctx.notice('The token is shown only once: paste it into the provider’s provisioning settings now (Authorization: Bearer).');
}

export function registerScim(idp: Command, ctx: CliContext): void {
  const scim = withExamples(idp.command('scim').description('let the provider push users and groups over SCIM 2.0 (Okta, Microsoft Entra ID)'), [
    'alter idp scim enable --provider idp_0123',
    'alter idp scim status --provider idp_0123',
  ]);

  withExamples(
    scim
      .command('enable')
      .description('turn on the SCIM endpoints; prints their base URL and a bearer token (once)')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--match-attribute <attr>', 'the SCIM attribute that carries what tokens carry in the user-id claim: externalId (default) or userName')
      .option('--group-name-attribute <attr>', 'how groups are named as group claims name them: displayName (default) or externalId (e.g. Entra ID object ids)'),
    ['alter idp scim enable --provider idp_0123', 'alter idp scim enable --provider idp_0123 --match-attribute userName'],
  ).action(async (opts: { provider: string; matchAttribute?: string; groupNameAttribute?: string }, cmd: Command) => {
    const body = { ...(opts.matchAttribute ? { match_attribute: opts.matchAttribute } : {}), ...(opts.groupNameAttribute ? { group_name_attribute: opts.groupNameAttribute } : {}) };
    printToken(ctx, cmd, await ctx.client(cmd).post<object>(path(ctx, cmd, opts.provider, 'enable'), body));
  });

  withExamples(
    scim.command('rotate').description('issue a new token; the old one stops working at once').requiredOption('--provider <id>', 'the identity provider (idp_…)').option('--yes', 'do not ask'),
    ['alter idp scim rotate --provider idp_0123 --yes'],
  ).action(async (opts: { provider: string; yes?: boolean }, cmd: Command) => {
    const target = path(ctx, cmd, opts.provider, 'rotate');
    await confirmOrExit(`Rotate the SCIM token of ${opts.provider}? The provider's provisioning fails until it has the new one.`, { yes: opts.yes, terminal: ctx.terminal });
    printToken(ctx, cmd, await ctx.client(cmd).post<object>(target));
  });

  withExamples(
    scim.command('disable').description('turn the SCIM endpoints off (they answer 404); provisioned users stay').requiredOption('--provider <id>', 'the identity provider (idp_…)').option('--yes', 'do not ask'),
    ['alter idp scim disable --provider idp_0123 --yes'],
  ).action(async (opts: { provider: string; yes?: boolean }, cmd: Command) => {
    const target = path(ctx, cmd, opts.provider, 'disable');
    await confirmOrExit(`Disable SCIM for ${opts.provider}? The provider's provisioning calls will fail.`, { yes: opts.yes, terminal: ctx.terminal });
    ctx.printObject(cmd, await ctx.client(cmd).post<object>(target));
  });

  withExamples(scim.command('status').description('requests, errors, and how many users and groups SCIM manages (never the token)').requiredOption('--provider <id>', 'the identity provider (idp_…)'), [
    'alter idp scim status --provider idp_0123',
  ]).action(async (opts: { provider: string }, cmd: Command) => {
    ctx.printObject(cmd, await ctx.client(cmd).get<object>(path(ctx, cmd, opts.provider, 'status')));
  });
}
