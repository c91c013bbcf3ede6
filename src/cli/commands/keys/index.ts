// `alter keys mint|list|revoke`: an app backend's runtime keys for /v1/identity/resolve.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { confirmOrExit } from '../../io/confirm.js';

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = withExamples(program.command('keys').description("mint, list and revoke an app's runtime keys"), ['alter keys mint --name backend --app app_0123']);
  deferSubcommands(keys, () => {
    const appPath = (cmd: Command): string => `/v1/apps/${encodeURIComponent(ctx.requireApp(cmd))}/keys`;

    withExamples(keys.command('mint').description('mint a runtime key (shown once) for the app backend').requiredOption('--name <name>', 'a name for people'), [
      'alter keys mint --name backend --app app_0123',
      'alter keys mint --name backend --output json --fields key',
    ]).action(async (opts: { name: string }, cmd: Command) => {
      ctx.printObject(cmd, await ctx.client(cmd).post<object>(appPath(cmd), { name: opts.name }));
      ctx.notice('The key is shown only once: store it in the app backend now.');
    });

    withExamples(keys.command('list').description('list the app’s runtime keys (never their values)'), ['alter keys list --app app_0123']).action(
      async (_o: unknown, cmd: Command) => {
        const { items } = await ctx.client(cmd).get<{ items: object[] }>(appPath(cmd));
        ctx.printList(cmd, items, ['id', 'name', 'created_at', 'revoked_at', 'last_used_at']);
      },
    );

    withExamples(
      keys.command('revoke').description('revoke a runtime key at once').requiredOption('--key-id <id>', 'the key to revoke').option('--yes', 'do not ask'),
      ['alter keys revoke --key-id key_0123 --yes'],
    ).action(async (opts: { keyId: string; yes?: boolean }, cmd: Command) => {
      const client = ctx.client(cmd);
      const path = `${appPath(cmd)}/${encodeURIComponent(opts.keyId)}/revoke`;
      await confirmOrExit(`Revoke runtime key ${opts.keyId}? Resolve calls using it fail at once.`, { yes: opts.yes, terminal: ctx.terminal });
      ctx.printObject(cmd, await client.post<object>(path));
    });
  });
}
