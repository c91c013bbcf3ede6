// `alter tokens create|list|revoke`: personal access tokens for people and CI.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { parseDuration, withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { confirmOrExit } from '../../io/confirm.js';
import { AlterError } from '../../../errors.js';

export function registerTokens(program: Command, ctx: CliContext): void {
  const tokens = withExamples(program.command('tokens').description('create, list and revoke personal access tokens'), [
    'alter tokens create --scopes dashboard_apps:read --expires-in 30d',
  ]);
  deferSubcommands(tokens, () => {
    withExamples(
      tokens
        .command('create')
        .description('create a token (shown once); only an explicit --app restricts it to that app')
        .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. dashboard_apps:read,dashboard_keys:write')
        .option('--name <name>', 'a name for people')
        .option('--expires-in <duration>', 'lifetime such as 90m, 12h, 30d, 2w (default: never)'),
      [
        'alter tokens create --scopes dashboard_identity_providers:read --app app_0123 --expires-in 30d',
        'alter tokens create --scopes dashboard_apps:read --name ci --output json --fields token',
      ],
    ).action(async (opts: { scopes: string; name?: string; expiresIn?: string }, cmd: Command) => {
      const scopes = opts.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      if (!scopes.length) throw new AlterError('usage', '--scopes: give at least one scope');
      let expires: number | undefined;
      if (opts.expiresIn !== undefined) {
        expires = parseDuration(opts.expiresIn);
        if (expires === undefined) throw new AlterError('usage', `--expires-in: "${opts.expiresIn}" is not a duration like 90m, 12h, 30d or 2w`);
      }
      const { app } = ctx.globals(cmd);
      const body = {
        scopes,
        name: opts.name ?? null,
        // ALTER_APP_ID and a linked workspace choose where commands act; they never restrict a token.
        app_id: app?.source === 'flag' ? app.id : null,
        expires_in_seconds: expires ?? null,
      };
      ctx.printObject(cmd, await ctx.client(cmd).post<object>('/v1/tokens', body));
      ctx.notice('The token is shown only once: store it now.');
    });

    withExamples(tokens.command('list').description('list tokens (never their values)'), ['alter tokens list']).action(async (_o: unknown, cmd: Command) => {
      const { items } = await ctx.client(cmd).get<{ items: object[] }>('/v1/tokens');
      ctx.printList(cmd, items, ['id', 'name', 'scopes', 'app_id', 'expires_at', 'revoked_at']);
    });

    withExamples(
      tokens.command('revoke').description('revoke a token at once').requiredOption('--token-id <id>', 'the token to revoke').option('--yes', 'do not ask'),
      ['alter tokens revoke --token-id tok_0123 --yes'],
    ).action(async (opts: { tokenId: string; yes?: boolean }, cmd: Command) => {
      const client = ctx.client(cmd);
      await confirmOrExit(`Revoke token ${opts.tokenId}? Anything using it stops working.`, { yes: opts.yes, terminal: ctx.terminal });
      ctx.printObject(cmd, await client.post<object>(`/v1/tokens/${encodeURIComponent(opts.tokenId)}/revoke`));
    });
  });
}
