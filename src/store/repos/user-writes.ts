// The writes of resolution's user sync (users.ts plans them), applied for a whole group-commit
// batch at once: one statement per table for every write of the batch (new users, groups,
// memberships added, memberships removed, events, audit), not one per write. On PostgreSQL each
// statement is a round trip, and sending it was the largest single cost of the write path.
//
// A write planned against a user that did not exist yet inserts the user; when a concurrent writer
// (another request in this batch, another batch, another process) inserted the same subject first,
// that write does nothing and answers null, and its caller plans again against the stored row.
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.js';
import { newId } from '../../crypto/tokens.js';
import type { MergedWrites } from '../write-batch.js';
import { recordAudits } from './audit.js';
import { recordUserEvents, type UserEvent } from './user-events.js';

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

/** Inserts the new users; the ids of those that went in (a subject already stored is skipped). */
async function insertUsers(tx: Kysely<Database>, writes: UserWrite[]): Promise<Set<string>> {
  const fresh = uniqueBy(
    writes.filter((w) => w.isNew),
    (w) => key(w.row.provider_id, w.row.external_id),
  );
  if (!fresh.length) return new Set();
  const rows = await tx
    .insertInto('users')
    .values(fresh.map((w) => w.row))
    .onConflict((oc) => oc.columns(['provider_id', 'external_id']).doNothing())
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}

async function addMemberships(tx: Kysely<Database>, writes: UserWrite[]): Promise<void> {
  const adds = writes.flatMap((w) => w.plan.add.map((a) => ({ userId: w.row.id, providerId: w.provider.id, now: w.now, ...a })));
  if (!adds.length) return;
  const groups = uniqueBy(adds, (a) => key(a.providerId, a.kind, a.name));
  await tx
    .insertInto('groups')
    .values(groups.map((g) => ({ id: newId('grp'), provider_id: g.providerId, kind: g.kind, name: g.name, source: 'token', created_at: g.now })))
    .onConflict((oc) => oc.columns(['provider_id', 'kind', 'name']).doNothing())
    .execute();
  const ids = new Map<string, string>();
  const rows = await tx
    .selectFrom('groups')
    .select(['id', 'provider_id', 'kind', 'name'])
    .where('provider_id', 'in', [...new Set(groups.map((g) => g.providerId))])
    .where('name', 'in', [...new Set(groups.map((g) => g.name))])
    .execute();
  for (const r of rows) ids.set(key(r.provider_id, r.kind, r.name), r.id);
  const memberships = uniqueBy(
    adds.map((a) => ({ user_id: a.userId, group_id: ids.get(key(a.providerId, a.kind, a.name))!, source: 'token', created_at: a.now })),
    (m) => key(m.user_id, m.group_id),
  );
  await tx.insertInto('memberships').values(memberships).onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing()).execute();
}

async function removeMemberships(tx: Kysely<Database>, writes: UserWrite[]): Promise<void> {
  const removing = writes.filter((w) => w.plan.remove.length);
  if (removing.length) {
    await tx
      .deleteFrom('memberships')
      .where((eb) => eb.or(removing.map((w) => eb.and([eb('user_id', '=', w.row.id), eb('group_id', 'in', w.plan.remove.map((m) => m.groupId))]))))
      .execute();
  }
  const cleared = writes.flatMap((w) => w.plan.clearRemovals.map((r) => ({ userId: w.row.id, ...r })));
  if (cleared.length) {
    await tx
      .deleteFrom('membership_removals')
      .where((eb) => eb.or(cleared.map((r) => eb.and([eb('user_id', '=', r.userId), eb('kind', '=', r.kind), eb('name', '=', r.name)]))))
      .execute();
  }
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

async function applyUserWrites(tx: Kysely<Database>, writes: UserWrite[]): Promise<Array<UserRow | null>> {
  const inserted = await insertUsers(tx, writes);
  const live = writes.filter((w) => !w.isNew || inserted.has(w.row.id));
  const applied = new Set(live);
  await recordAudits(
    tx,
    live
      .filter((w) => w.isNew)
      .map((w) => ({ actor: 'resolve', action: 'user.create', appId: w.provider.app_id, target: w.row.id, details: { provider_id: w.provider.id, external_id: w.row.external_id } })),
  );
  // Profile changes are rare (a new email or name, last_seen_at once an hour): one update each.
  for (const w of live) {
    if (!w.changes) continue;
    await tx
      .updateTable('users')
      .set(touchesProfile(w.changes) ? { ...w.changes, updated_at: w.now } : w.changes)
      .where('id', '=', w.row.id)
      .execute();
  }
  await addMemberships(tx, live);
  await removeMemberships(tx, live);
  await recordUserEvents(tx, live.flatMap(eventsOf));
  const locking = [...new Set(live.filter((w) => w.lockMappings).map((w) => w.provider.id))];
  if (locking.length) {
    await tx.updateTable('identity_providers').set({ claim_mappings_locked: 1 }).where('id', 'in', locking).where('claim_mappings_locked', '=', 0).execute();
  }
  return writes.map((w) => {
    if (!applied.has(w)) return null;
    if (!w.changes) return w.row;
    return { ...w.row, ...w.changes, ...(touchesProfile(w.changes) ? { updated_at: w.now } : {}) };
  });
}

export const userWrites: MergedWrites<UserWrite, UserRow | null> = { name: 'users', applyAll: applyUserWrites };
