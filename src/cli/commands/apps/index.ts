// `alter apps create|list|show`.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';

export function registerApps(program: Command, ctx: CliContext): void {
  const apps = withExamples(program.command('apps').description('create and list apps'), ['alter apps create --name shop', 'alter apps list']);
  deferSubcommands(apps, () => {
    withExamples(apps.command('create').description('create an app').requiredOption('--name <name>', 'a name for people'), [
      'alter apps create --name shop',
      'alter apps create --name shop --fields id --output jsonl',
    ]).action(async (opts: { name: string }, cmd: Command) => {
      const app = await ctx.client(cmd).post<object>('/v1/apps', { name: opts.name });
      ctx.printObject(cmd, app);
    });

    withExamples(apps.command('list').description('list the apps this token can see'), ['alter apps list', 'alter apps list --output json']).action(
      async (_opts: unknown, cmd: Command) => {
        const { items } = await ctx.client(cmd).get<{ items: object[] }>('/v1/apps');
        ctx.printList(cmd, items, ['id', 'name', 'created_at']);
      },
    );

    withExamples(apps.command('show').description('show one app').argument('[app-id]', 'the app (default: --app, ALTER_APP_ID or the linked app)'), [
      'alter apps show app_0123456789abcdef0123',
    ]).action(async (appId: string | undefined, _opts: unknown, cmd: Command) => {
      const id = appId ?? ctx.requireApp(cmd);
      ctx.printObject(cmd, await ctx.client(cmd).get<object>(`/v1/apps/${encodeURIComponent(id)}`));
    });
  });
}
