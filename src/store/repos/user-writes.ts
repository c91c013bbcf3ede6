// The writes of resolution's user sync (users.ts plans them), applied for a whole group-commit
// batch at once: one statement per table for every write of the batch (new users, groups,
// memberships added, memberships removed, events, audit), not one per write. None of them needs
// another's answer, so on PostgreSQL they are all sent in one round trip (pg-one-round-trip.ts).
//
// A write planned against a user that did not exist yet inserts the user; when a concurrent writer
// (another request in this batch, another batch, another process) inserted the same subject first,
// that write does nothing and answers null, and its caller plans again against the stored row.
import { sql, type CompiledQuery, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.js';
import type { MergedWrites, PlannedWrites } from '../write-batch.js';
import { newRowId } from '../ordered-id.js';
import { isPostgres } from '../dialect-of.js';
import { userEventRows, type UserEvent } from './user-events.js';
import { auditRows } from './audit.js';

export type UserRow = Selectable<UsersTable>;
export type MembershipKind = 'group' | 'role';

export interface ProviderRef {
  id: string;
  app_id: string;
}

export interface Membership {
  groupId: string;
  kind: MembershipKind;
  name: string;
  source: string;
}

export interface MembershipPlan {
  add: Array<{ kind: MembershipKind; name: string }>;
  remove: Membership[];
  /** Removal rows a newer token overrides: deleted along with the add. */
  clearRemovals: Array<{ kind: MembershipKind; name: string }>;
}

export interface UserWrite {
  provider: ProviderRef;
  /** The user to insert (`isNew`), or the stored row the write changes. */
  row: UserRow;
  isNew: boolean;
  /** Profile and bookkeeping columns of a stored user that differ from the token. */
  changes: Partial<UserRow> | null;
  plan: MembershipPlan;
  now: string;
  /** Lock the provider's claim mappings in the same transaction. */
  lockMappings: boolean;
}

/** A map key of several strings (NUL cannot occur in a name or an id). */
export const key = (...parts: string[]): string => parts.join('\u0000');

function uniqueBy<T>(items: T[], keyOf: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(keyOf(item))) seen.set(keyOf(item), item);
  return [...seen.values()];
}

/** Seen-at alone is bookkeeping, not a change of the user: it leaves updated_at alone. */
function touchesProfile(changes: Partial<UserRow>): boolean {
  return Object.keys(changes).some((k) => k !== 'last_seen_at');
}

/** What a column of the rows written here holds. */
type Cell = string | number | null;

/** A PostgreSQL array literal of `values` (each element quoted, so any text survives; null is NULL). */
function pgArray(values: Cell[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
}

/**
 * `rows` as a table named `name` for the statement that follows (a CTE: both databases accept it,
 * with column names, before an INSERT). On PostgreSQL each column is one array, unnested: a VALUES
 * list of literals cost PostgreSQL more to parse and analyse than the insert did (measured on a
 * batch's 38 audit rows: 1.0 ms as VALUES, 0.47 ms as arrays). SQLite has no arrays, and prepares
 * each statement once per text: a VALUES list of bound parameters. `integers` names the columns
 * that are not text.
 */
function rowsTable(db: Kysely<Database>, name: string, rows: Array<Record<string, Cell>>, integers: readonly string[] = []): RawBuilder<unknown> {
  const columns = Object.keys(rows[0]!);
  const head = sql`with ${sql.id(name)}(${sql.join(columns.map((c) => sql.id(c)))}) as`;
  if (isPostgres(db)) {
    const arrays = columns.map((c) => sql`${pgArray(rows.map((r) => r[c] ?? null))}::${sql.raw(integers.includes(c) ? 'integer' : 'text')}[]`);
    return sql`${head} (select * from unnest(${sql.join(arrays)}))`;
  }
  const tuples = rows.map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
  return sql`${head} (values ${sql.join(tuples)})`;
}

/**
 * A user written earlier in the batch's transaction (a new user whose insert lost a race is not).
 * A scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a join, which without statistics it
 * planned as a scan of every user per statement (measured: 3–6 ms per batch at 6,000 users); a
 * scalar subquery stays a lookup by primary key for each row.
 */
const userExists = (column: string) => sql`(select users.id from users where users.id = ${sql.ref(column)}) is not null`;

/** `rows` into `table`, but for those that collide with a stored row on the unique key `conflict`. */
function insertNew(db: Kysely<Database>, table: 'users' | 'groups', rows: Array<Record<string, Cell>>, conflict: string[], integers?: readonly string[]): RawBuilder<unknown> {
  const columns = sql.join(Object.keys(rows[0]!).map((c) => sql.id(c)));
  // `where true`: SQLite's grammar needs a WHERE between INSERT … SELECT and ON CONFLICT.
  return sql`${rowsTable(db, 'v', rows, integers)}
    insert into ${sql.table(table)} (${columns}) select ${columns} from v where true
    on conflict (${sql.join(conflict.map((c) => sql.id(c)))}) do nothing`;
}

/** The new users, each once by subject; a subject already stored is skipped (RETURNING says which went in). */
function insertUsers(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery | null {
  const fresh = uniqueBy(
    writes.filter((w) => w.isNew),
    (w) => key(w.row.provider_id, w.row.external_id),
  );
  if (!fresh.length) return null;
  return sql`${insertNew(db, 'users', fresh.map((w) => w.row), ['provider_id', 'external_id'], ['seen'])} returning id`.compile(db);
}

function insertAudits(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery | null {
  const created = writes.filter((w) => w.isNew);
  if (!created.length) return null;
  const rows = auditRows(
    created.map((w) => ({ actor: 'resolve', action: 'user.create', appId: w.provider.app_id, target: w.row.id, details: { provider_id: w.provider.id, external_id: w.row.external_id } })),
  );
  return sql`${rowsTable(db, 'v', rows)}
    insert into audit_events (id, at, actor, action, app_id, target, details)
    select id, at, actor, action, app_id, target, details from v where ${userExists('v.target')}`.compile(db);
}

/** Profile changes are rare (a new email or name, last_seen_at once an hour): one update each. */
function updateProfiles(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery[] {
  return writes
    .filter((w) => w.changes)
    .map((w) =>
      db
        .updateTable('users')
        .set(touchesProfile(w.changes!) ? { ...w.changes, updated_at: w.now } : w.changes!)
        .where('id', '=', w.row.id)
        .compile(),
    );
}

function addMemberships(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery[] {
  const adds = writes.flatMap((w) => w.plan.add.map((a) => ({ user_id: w.row.id, provider_id: w.provider.id, kind: a.kind, name: a.name, created_at: w.now })));
  if (!adds.length) return [];
  const groups = uniqueBy(adds, (a) => key(a.provider_id, a.kind, a.name));
  const insertGroups = insertNew(
    db,
    'groups',
    groups.map((g) => ({ id: newRowId('grp'), provider_id: g.provider_id, kind: g.kind, name: g.name, source: 'token', created_at: g.created_at })),
    ['provider_id', 'kind', 'name'],
  ).compile(db);
  // Each group's id is looked up where it is used (the group exists by now: the statement above
  // made it, or someone had), so no statement of the batch waits for another's answer.
  const insertMemberships = sql`${rowsTable(
    db,
    'v',
    uniqueBy(adds, (a) => key(a.user_id, a.provider_id, a.kind, a.name)),
  )}
    insert into memberships (user_id, group_id, source, created_at)
    select user_id, (select g.id from groups g where g.provider_id = v.provider_id and g.kind = v.kind and g.name = v.name), 'token', created_at
    from v where ${userExists('v.user_id')}
    on conflict (user_id, group_id) do nothing`.compile(db);
  return [insertGroups, insertMemberships];
}

function removeMemberships(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery[] {
  const out: CompiledQuery[] = [];
  const removing = writes.filter((w) => w.plan.remove.length);
  if (removing.length) {
    out.push(
      db
        .deleteFrom('memberships')
        .where((eb) => eb.or(removing.map((w) => eb.and([eb('user_id', '=', w.row.id), eb('group_id', 'in', w.plan.remove.map((m) => m.groupId))]))))
        .compile(),
    );
  }
  const cleared = writes.flatMap((w) => w.plan.clearRemovals.map((r) => ({ userId: w.row.id, ...r })));
  if (cleared.length) {
    out.push(
      db
        .deleteFrom('membership_removals')
        .where((eb) => eb.or(cleared.map((r) => eb.and([eb('user_id', '=', r.userId), eb('kind', '=', r.kind), eb('name', '=', r.name)]))))
        .compile(),
    );
  }
  return out;
}

function eventsOf(w: UserWrite): UserEvent[] {
  const userId = w.row.id;
  const events: UserEvent[] = [];
  if (w.isNew) events.push({ userId, source: 'token', action: 'created', detail: { email: w.row.email, name: w.row.name } });
  const changed = w.changes ? (['email', 'name'] as const).filter((f) => f in w.changes!) : [];
  if (changed.length) events.push({ userId, source: 'token', action: 'updated', detail: Object.fromEntries(changed.map((f) => [f, w.changes![f]])) });
  for (const a of w.plan.add) events.push({ userId, source: 'token', action: 'membership_added', detail: { kind: a.kind, name: a.name } });
  for (const m of w.plan.remove) events.push({ userId, source: 'token', action: 'membership_removed', detail: { kind: m.kind, name: m.name } });
  return events;
}

function insertEvents(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery | null {
  const events = writes.flatMap(eventsOf);
  if (!events.length) return null;
  return sql`${rowsTable(db, 'v', userEventRows(events))}
    insert into user_events (id, user_id, at, source, action, detail)
    select id, user_id, at, source, action, detail from v where ${userExists('v.user_id')}`.compile(db);
}

function lockMappings(db: Kysely<Database>, writes: UserWrite[]): CompiledQuery | null {
  const locking = [...new Set(writes.filter((w) => w.lockMappings).map((w) => w.provider.id))];
  if (!locking.length) return null;
  return db.updateTable('identity_providers').set({ claim_mappings_locked: 1 }).where('id', 'in', locking).where('claim_mappings_locked', '=', 0).compile();
}

/**
 * A batch's user writes as statements, none of which needs another's answer (so that PostgreSQL
 * can be sent them all at once, pg-one-round-trip.ts): a write whose new user lost the insert to
 * a concurrent writer is left out by the statements themselves (`userExists`), and the new users'
 * insert, always first, says which went in.
 */
function planUserWrites(db: Kysely<Database>, writes: UserWrite[]): PlannedWrites<UserRow | null> {
  const users = insertUsers(db, writes);
  const queries = [users, insertAudits(db, writes), ...updateProfiles(db, writes), ...addMemberships(db, writes), ...removeMemberships(db, writes), insertEvents(db, writes), lockMappings(db, writes)].filter(
    (q): q is CompiledQuery => q !== null,
  );
  return {
    queries,
    results: (rows) => {
      const inserted = new Set(users ? (rows[0] as Array<{ id: string }>).map((r) => r.id) : []);
      return writes.map((w) => {
        if (w.isNew && !inserted.has(w.row.id)) return null;
        if (!w.changes) return w.row;
        return { ...w.row, ...w.changes, ...(touchesProfile(w.changes) ? { updated_at: w.now } : {}) };
      });
    },
  };
}

export const userWrites: MergedWrites<UserWrite, UserRow | null> = { name: 'users', plan: planUserWrites };
