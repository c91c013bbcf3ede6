// `alter idp create` (alias `configure`): discovery, the wallet credential check and the save, as
// one request; the server saves nothing unless all of it succeeds.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { addProviderFlags, readProviderBody, type ProviderFlags } from './provider-input.js';
import { printProvider, withSpinner } from './render.js';

export function registerCreate(idp: Command, ctx: CliContext): void {
  const create = idp
    .command('create')
    .alias('configure')
    .description("configure the app's identity provider: discovery must succeed, claim mappings are auto-detected unless given");
  withExamples(addProviderFlags(create, { clearable: false }), [
    'alter idp create --issuer-url https://acme.okta.com --audience https://api.example.com',
    'alter idp create --issuer-url https://acme.okta.com --user-id-claim sub --group-claim groups',
    'alter idp create --issuer-url https://acme.okta.com --wallet-client-id 0oa123 --wallet-client-secret @/run/secrets/idp-client-secret',
    'alter idp create --input @provider.json',
  ]).action(async (flags: ProviderFlags, cmd: Command) => {
    const appId = ctx.requireApp(cmd);
    const body = await readProviderBody(flags, ctx, 'create');
    const client = ctx.client(cmd);
    const result = await withSpinner(ctx, `discovering ${body.issuer_url ?? ''} …`, () =>
      client.post<Record<string, unknown>>(`/v1/apps/${encodeURIComponent(appId)}/identity-providers`, body),
    );
    printProvider(ctx, cmd, result);
  });
}
