// `alter users list|show|block|unblock|deprovision`: the app's directory of end users.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { confirmOrExit } from '../../io/confirm.js';
import { AlterError } from '../../../errors.js';
import { oneOf, pageLimit, queryString } from '../directory-args.js';

export const USER_COLUMNS = ['id', 'external_id', 'email', 'name', 'status', 'groups', 'roles', 'last_seen_at'];

interface Page {
  items: object[];
  next_cursor: string | null;
}

export function registerUsers(program: Command, ctx: CliContext): void {
  const users = withExamples(program.command('users').description('list, inspect, block and deprovision the app’s end users'), [
    'alter users list --status blocked',
    'alter users show --external-id auth0|123',
    'alter users block usr_0123 --yes',
  ]);
  deferSubcommands(users, () => {
    const base = (cmd: Command): string => `/v1/apps/${encodeURIComponent(ctx.requireApp(cmd))}/users`;

    withExamples(
      users
        .command('list')
        .description('list users, newest first')
        .option('--status <status>', 'only users with this status: active, blocked or deprovisioned', oneOf(['active', 'blocked', 'deprovisioned'] as const))
        .option('--group <name>', 'only members of this group or role')
        .option('--search <text>', 'part of the external id, email or name (any case)')
        .option('--limit <n>', 'at most this many (1-1000)', pageLimit, 100)
        .option('--all', 'every user, page after page (ignores --limit)'),
      ['alter users list --search @example.com', 'alter users list --group admins --all --output jsonl'],
    ).action(async (opts: { status?: string; group?: string; search?: string; limit: number; all?: boolean }, cmd: Command) => {
      const client = ctx.client(cmd);
      const items: object[] = [];
      let cursor: string | undefined;
      do {
        const limit = opts.all ? 1000 : opts.limit - items.length;
        const page = await client.get<Page>(`${base(cmd)}${queryString({ status: opts.status, group: opts.group, search: opts.search, limit, cursor })}`);
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && (opts.all || items.length < opts.limit));
      ctx.printList(cmd, items, USER_COLUMNS);
    });

    withExamples(
      users
        .command('show')
        .description('one user, with their memberships and latest lifecycle events')
        .argument('[user-id]', 'the user’s alter id (usr_…)')
        .option('--external-id <value>', 'the user as the provider’s tokens name them (the user-id claim)'),
      ['alter users show usr_0123', 'alter users show --external-id auth0|123'],
    ).action(async (userId: string | undefined, opts: { externalId?: string }, cmd: Command) => {
      if (!userId === (opts.externalId === undefined)) throw new AlterError('usage', 'give either a user id or --external-id (one of them)');
      const client = ctx.client(cmd);
      let id = userId;
      if (id === undefined) {
        const { items } = await client.get<{ items: Array<{ id: string }> }>(`${base(cmd)}${queryString({ external_id: opts.externalId, limit: 1 })}`);
        if (!items[0]) throw new AlterError('not_found', `no user with external id ${JSON.stringify(opts.externalId)} in this app`);
        id = items[0].id;
      }
      ctx.printObject(cmd, await client.get<object>(`${base(cmd)}/${encodeURIComponent(id)}`));
    });

    const actions = [
      { name: 'block', description: 'block a user: their tokens are refused on every server within a second, until an operator unblocks them', ask: true },
      { name: 'unblock', description: 'undo a block (an operator’s or the provider’s); a deprovisioned user stays deprovisioned', ask: false },
      { name: 'deprovision', description: 'deprovision a user for good: their tokens are refused from now on, whatever the provider says', ask: true },
    ] as const;
    for (const a of actions) {
      const command = users.command(a.name).description(a.description).argument('<user-id>', 'the user’s alter id (usr_…)');
      if (a.ask) command.option('--yes', 'do not ask');
      withExamples(command, [`alter users ${a.name} usr_0123${a.ask ? ' --yes' : ''}`]).action(async (userId: string, opts: { yes?: boolean }, cmd: Command) => {
        const client = ctx.client(cmd);
        const path = `${base(cmd)}/${encodeURIComponent(userId)}/${a.name}`;
        if (a.ask) await confirmOrExit(`${a.name === 'block' ? 'Block' : 'Deprovision (final)'} user ${userId}? Their tokens are refused at once.`, { yes: opts.yes, terminal: ctx.terminal });
        ctx.printObject(cmd, await client.post<object>(path));
      });
    }
  });
}
