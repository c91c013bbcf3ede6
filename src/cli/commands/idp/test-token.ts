// `alter idp test-token --token -|@file|value [--provider ID]`: why would resolve accept or refuse
// this token? Every check against the saved provider, without creating a user or locking anything.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { readValueArg } from '../../io/input.js';
import { printTokenReport, refusal, type TokenReport } from './token-report.js';

export function registerTestToken(idp: Command, ctx: CliContext): void {
  withExamples(
    idp
      .command('test-token')
      .description("run every check of identity resolution on an end user's token against the saved provider (creates no user, locks nothing)")
      .requiredOption('--token <token>', "the end user's JWT: - (stdin), @PATH (a file) or the value itself")
      .option('--provider <id>', "the identity provider (idp_…); default: the app's provider"),
    [
      'pbpaste | alter idp test-token --token - --app app_0123',
      'alter idp test-token --token @token.jwt --output json',
    ],
  ).action(async (flags: { token: string; provider?: string }, cmd: Command) => {
    const appId = encodeURIComponent(ctx.requireApp(cmd));
    const token = await readValueArg(flags.token, '--token', ctx);
    const which = flags.provider ? encodeURIComponent(flags.provider) : 'current';
    const report = await ctx.client(cmd).post<TokenReport>(`/v1/apps/${appId}/identity-providers/${which}/test-token`, { token });
    printTokenReport(ctx, cmd, report);
    const refused = refusal(report);
    if (refused) throw refused;
  });
}
