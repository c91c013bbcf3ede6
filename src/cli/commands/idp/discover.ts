// `alter idp discover --issuer-url URL`: what the server finds at the issuer, saving nothing.
import type { Command } from 'commander';
import { AlterError } from '../../../errors.js';
import { issuerUrlProblem } from '../../../idp/issuer-url.js';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { printDetail, withSpinner } from './render.js';
import { readValueArg } from '../../io/input.js';
import { refusal, type TokenReport } from './token-report.js';

export interface DiscoverFlags {
  issuerUrl: string;
  sampleToken?: string;
}

/** The discover request body; options that add checks to discovery add their fields here. */
export async function discoverBody(flags: DiscoverFlags, ctx: CliContext, cmd: Command): Promise<Record<string, unknown>> {
  const problem = issuerUrlProblem(flags.issuerUrl);
  if (problem) throw new AlterError('usage', `--issuer-url: ${problem}`);
  const body: Record<string, unknown> = { issuer_url: flags.issuerUrl };
  // Discover needs no app; an explicit --app is still checked against the token's restriction.
  const app = ctx.globals(cmd).app;
  if (app?.source === 'flag') body.app_id = app.id;
  if (flags.sampleToken !== undefined) body.sample_token = await readValueArg(flags.sampleToken, '--sample-token', ctx);
  return body;
}

export function registerDiscover(idp: Command, ctx: CliContext): void {
  withExamples(
    idp
      .command('discover')
      .description('preview OIDC discovery for an issuer (provider type, keys, suggested claim mappings, warnings); saves nothing')
      .requiredOption('--issuer-url <url>', 'OIDC issuer URL (e.g. https://acme.okta.com): the issuer itself, not a /.well-known/… URL')
      .option('--sample-token <token>', "also run every check of identity resolution on this end user's JWT (- stdin, @PATH, or the value); exit 8 when it would be refused"),
    ['alter idp discover --issuer-url https://acme.okta.com', 'alter idp discover --issuer-url https://acme.us.auth0.com/ --output table'],
  ).action(async (flags: DiscoverFlags, cmd: Command) => {
    const body = await discoverBody(flags, ctx, cmd);
    const client = ctx.client(cmd);
    const result = await withSpinner(ctx, `discovering ${flags.issuerUrl} …`, () => client.post<Record<string, unknown>>('/v1/identity-providers/discover', body));
    printDetail(ctx, cmd, result);
    const refused = result.sample_token ? refusal(result.sample_token as TokenReport) : null;
    if (refused) throw refused;
  });
}
