// `alter auth login|status|logout`.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { readValueArg } from '../../io/input.js';
import { AlterError } from '../../../errors.js';
import { forgetToken, saveToken, storedToken } from '../../config.js';

interface WhoAmI {
  token_id: string;
  name: string | null;
  scopes: string[];
  app_id: string | null;
  expires_at: string | null;
}

export function registerAuth(program: Command, ctx: CliContext): void {
  const auth = withExamples(program.command('auth').description('sign in to an alter server with a personal access token'), [
    'alter auth login --token-file ~/.alter-token',
    'alter auth status',
  ]);
  deferSubcommands(auth, () => {
    withExamples(
      auth
        .command('login')
        .description('check a personal access token with the server, then store it (mode 0600)')
        .option('--token-file <path>', 'read the token from a file')
        .option('--token-stdin', 'read the token from standard input')
        .option('--token <value>', 'the token itself (visible in the process list: prefer the other two)'),
      ['alter auth login --token-file ./admin.token', 'pbpaste | alter auth login --token-stdin'],
    ).action(async (opts: { tokenFile?: string; tokenStdin?: boolean; token?: string }, cmd: Command) => {
      const given = [opts.tokenFile !== undefined, !!opts.tokenStdin, opts.token !== undefined].filter(Boolean).length;
      if (given !== 1) throw new AlterError('usage', 'give exactly one of --token-file PATH, --token-stdin or --token VALUE');
      if (opts.token !== undefined) ctx.notice('warning: --token makes the token visible in the process list and shell history; prefer --token-file or --token-stdin');
      const raw = opts.tokenFile !== undefined ? await readValueArg(`@${opts.tokenFile}`, '--token-file', ctx) : opts.tokenStdin ? await readValueArg('-', '--token-stdin', ctx) : opts.token!;
      const token = raw.trim();
      if (!token) throw new AlterError('usage', 'the token is empty');
      const client = ctx.clientWithToken(cmd, token);
      const me = await client.get<WhoAmI>('/v1/auth/whoami');
      const file = saveToken(ctx.env, client.baseUrl, token, me.token_id);
      ctx.printObject(cmd, { api_url: client.baseUrl, ...me });
      ctx.notice(`Signed in to ${client.baseUrl}; token saved in ${file}`);
    });

    withExamples(auth.command('status').description('show which token is in use and what it may do'), ['alter auth status --output table']).action(
      async (_opts: unknown, cmd: Command) => {
        const client = ctx.client(cmd);
        const me = await client.get<WhoAmI>('/v1/auth/whoami');
        const source = ctx.env.ALTER_PAT ? 'ALTER_PAT' : 'credentials file';
        ctx.printObject(cmd, { api_url: client.baseUrl, source, ...me });
      },
    );

    withExamples(auth.command('logout').description('forget the stored token for this API URL'), ['alter auth logout']).action(
      (_opts: unknown, cmd: Command) => {
        const { apiUrl } = ctx.globals(cmd);
        const had = storedToken(ctx.env, apiUrl) !== null && forgetToken(ctx.env, apiUrl);
        ctx.notice(had ? `Signed out of ${apiUrl}` : `Not signed in to ${apiUrl}; nothing to forget`);
        if (ctx.env.ALTER_PAT) ctx.notice('note: ALTER_PAT is set in the environment and is still used');
      },
    );
  });
}
