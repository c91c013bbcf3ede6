// PostgreSQL's plan for resolution's user read (selectUsersWithMembershipsPg) on tables that have
// never been analysed, as on a server with autovacuum off or a table that grew faster than it runs:
// every table must be reached by probes of an index, never scanned. A plain join of the same tables
// was planned as a scan of all of a provider's users and memberships (9 ms at 10,000 users and
// growing), because without statistics the planner guesses a provider has a few dozen users.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { cleanupAll, usingPostgres } from '../helpers/env.js';
import { startTestServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { createResolveApp } from '../resolve/setup.js';
import { selectUsersWithMembershipsPg } from '../../src/store/repos/users.js';

after(cleanupAll);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

test('the user read probes indexes on tables without statistics, whatever their size', { skip: !usingPostgres && 'PostgreSQL only' }, async () => {
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups' });
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'template', groups: ['staff', 'ops'] }) })).status, 200);
  const db = s.server.store.db;
  const tables = ['users', 'memberships', 'groups', 'membership_removals'];
  // No statistics, here as on a server whose autovacuum is off.
  for (const t of tables) await sql`alter table ${sql.table(t)} set (autovacuum_enabled = false)`.execute(db);
  // 20,000 users with two memberships and a removal each, copied from the one resolution created.
  await sql`insert into users (id, app_id, provider_id, external_id, email, name, status, seen, sources, last_seen_at, created_at, updated_at)
    select 'usr_bulk_' || i, app_id, provider_id, 'bulk-' || i, email, name, status, seen, sources, last_seen_at, created_at, updated_at
    from users, generate_series(1, 20000) as i where external_id = 'template'`.execute(db);
  await sql`insert into memberships (user_id, group_id, source, created_at)
    select u.id, m.group_id, m.source, m.created_at from users u, memberships m
    where u.id like 'usr_bulk_%' and m.user_id = (select id from users where external_id = 'template')`.execute(db);
  await sql`insert into membership_removals (user_id, kind, name, removed_at)
    select id, 'group', 'former', created_at from users where id like 'usr_bulk_%'`.execute(db);
  const { provider_id: providerId } = await db.selectFrom('users').select('provider_id').where('external_id', '=', 'template').executeTakeFirstOrThrow();
  const analysed = await sql<{ n: number }>`select count(*)::int as n from pg_stats where tablename in ('users', 'memberships', 'membership_removals')`.execute(db);
  assert.equal(analysed.rows[0]!.n, 0, 'the tables have no statistics');

  const read = selectUsersWithMembershipsPg(
    providerId,
    Array.from({ length: 24 }, (_, i) => `bulk-${i * 800 + 1}`),
  );
  const explained = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (format json) ${read}`.execute(db);
  const plan = explained.rows[0]!['QUERY PLAN'][0]!.Plan;
  const nodes = nodesOf(plan);
  const shown = JSON.stringify(plan, ['Node Type', 'Relation Name', 'Index Cond', 'Plans']);
  for (const t of tables) assert.ok(nodes.some((n) => n['Relation Name'] === t), `${t} is read: ${shown}`);
  // Probes only: a scan of a whole table, or a hash or merge join (which reads a whole side), is
  // what the guess of a few dozen rows leads to.
  for (const n of nodes) assert.doesNotMatch(n['Node Type'], /Seq Scan|Hash Join|Merge Join/, shown);
  // The users by subject: not every user of the provider.
  const users = nodes.find((n) => n['Relation Name'] === 'users')!;
  assert.match(users['Index Cond'] ?? '', /external_id = /, shown);
  // And it reads the right rows.
  const rows = (await read.execute(db)).rows;
  assert.equal(new Set(rows.map((r) => r.external_id)).size, 24);
  assert.equal(rows.length, 48, 'two memberships each');
});
