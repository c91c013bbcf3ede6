// `alter groups list|show`: the app's groups and roles, and who is in them.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { AlterError } from '../../../errors.js';
import { oneOf, queryString } from '../directory-args.js';

interface Page {
  items: Array<{ id: string }>;
  next_cursor: string | null;
}

const kinds = oneOf(['group', 'role'] as const);

export function registerGroups(program: Command, ctx: CliContext): void {
  const groups = withExamples(program.command('groups').description('list the app’s groups and roles and show their members'), ['alter groups list --kind role', 'alter groups show --name admins']);
  deferSubcommands(groups, () => {
    const base = (cmd: Command): string => `/v1/apps/${encodeURIComponent(ctx.requireApp(cmd))}/groups`;

    withExamples(groups.command('list').description('list groups and roles with their member counts').option('--kind <kind>', 'only groups or only roles: group, role', kinds), [
      'alter groups list',
      'alter groups list --kind role --output json',
    ]).action(async (opts: { kind?: string }, cmd: Command) => {
      const client = ctx.client(cmd);
      const items: object[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.get<Page>(`${base(cmd)}${queryString({ kind: opts.kind, limit: 1000, cursor })}`);
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      ctx.printList(cmd, items, ['id', 'kind', 'name', 'members', 'source', 'created_at']);
    });

    withExamples(
      groups
        .command('show')
        .description('one group or role with its members (at most 1000)')
        .argument('[group-id]', 'the group’s alter id (grp_…)')
        .option('--name <name>', 'the group as tokens name it')
        .option('--kind <kind>', 'with --name: group or role (default group)', kinds),
      ['alter groups show grp_0123', 'alter groups show --name admins --kind role'],
    ).action(async (groupId: string | undefined, opts: { name?: string; kind?: string }, cmd: Command) => {
      if (!groupId === (opts.name === undefined)) throw new AlterError('usage', 'give either a group id or --name (one of them)');
      const client = ctx.client(cmd);
      let id = groupId;
      if (id === undefined) {
        const kind = opts.kind ?? 'group';
        const { items } = await client.get<Page>(`${base(cmd)}${queryString({ name: opts.name, kind, limit: 1 })}`);
        if (!items[0]) throw new AlterError('not_found', `no ${kind} named ${JSON.stringify(opts.name)} in this app`);
        id = items[0].id;
      }
      ctx.printObject(cmd, await client.get<object>(`${base(cmd)}/${encodeURIComponent(id)}`));
    });
  });
}
