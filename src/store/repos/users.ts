// Users provisioned just in time from verified tokens, and their groups and roles, by the rules of
// src/directory/rules.ts:
// - a token never changes `status`: a blocked or deprovisioned user is refused, whatever it says;
// - a membership removed at T (a `membership_removals` row) is not re-added by a token issued
//   before T; a token issued at or after T adds it again and clears the removal;
// - a token removes only memberships that tokens added, never a directory source's;
// - nothing is written when nothing changed, so the steady state of resolution is read-only
//   (last_seen_at is refreshed at most once an hour).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { newRowId } from '../ordered-id.js';
import { isPostgres } from '../dialect-of.js';
import { batchedWrite } from '../write-batch.js';
import { compiledOnce } from '../compiled-once.js';
import { BatchedReader, paddedChunks, READ_BATCH_SIZES, type ReadBatchSize } from '../read-batch.js';
import { key, userWrites, type Membership, type MembershipKind, type MembershipPlan, type ProviderRef, type UserRow } from './user-writes.js';
import { addSource, lastSeenIsStale, removalBlocks, tokenMayRemove } from '../../directory/rules.js';

export type { MembershipKind, ProviderRef, UserRow } from './user-writes.js';

/** What a verified token says about its user, already mapped through the provider's claims. */
export interface TokenIdentity {
  externalId: string;
  email: string | null;
  name: string | null;
  /** null when the provider maps no group claim: memberships of that kind are left alone. */
  groups: string[] | null;
  roles: string[] | null;
  /** The token's iat in seconds; null when it has none (it then cannot undo a removal). */
  issuedAt: number | null;
}

export interface UserView {
  id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  status: string;
}

export type SyncResult =
  | { refused: true; user: UserView }
  | { refused: false; user: UserView; groups: string[]; roles: string[]; created: boolean; written: boolean; lastSeenAt: string | null };

interface UserState {
  row: UserRow;
  memberships: Membership[];
  /** Whether any membership_removals row names this user. */
  hasRemovals: boolean;
}

export function userView(row: UserRow): UserView {
  return { id: row.id, external_id: row.external_id, email: row.email, name: row.name, status: row.status };
}

/**
 * Users with their memberships, by subject, in one statement (a row per membership, or one
 * without). On SQLite, for each of the batch sizes of read-batch.ts, compiled once each.
 */
const selectUsersWithMemberships = new Map(
  READ_BATCH_SIZES.map((size) => [
    size,
    compiledOnce((db, providerId: string, ...externalIds: string[]) =>
      db
        .selectFrom('users')
        .leftJoin('memberships', 'memberships.user_id', 'users.id')
        .leftJoin('groups', 'groups.id', 'memberships.group_id')
        .selectAll('users')
        .select(['groups.id as m_group_id', 'groups.kind as m_kind', 'groups.name as m_name', 'memberships.source as m_source'])
        // Removal rows are rare (a provider's webhook or the directory writes them): their table
        // is read only for a user who has any, instead of once more for every write.
        .select((eb) => eb.exists(eb.selectFrom('membership_removals').select('membership_removals.user_id').whereRef('membership_removals.user_id', '=', 'users.id')).as('m_removals'))
        .where('users.provider_id', '=', providerId)
        .where('users.external_id', 'in', externalIds),
    ),
  ]),
);

type UserWithMembership = UserRow & { m_group_id: string | null; m_kind: string | null; m_name: string | null; m_source: string | null; m_removals: unknown };

/**
 * The same read on PostgreSQL, for any number of subjects, written so that its plan does not
 * depend on the planner's statistics. On a database that has not been analysed (autovacuum off,
 * or a table that grew faster than it runs) the planner guesses that a provider has a few dozen
 * users: the join above then scanned all of a provider's users and all memberships for every
 * burst, 9 ms at 10,000 users and growing (measured). Each LATERAL subquery with OFFSET 0 cannot
 * be flattened into a join, so every step is a probe by key of a unique or primary-key index,
 * whatever the tables' sizes (test/store/postgres-plans.test.ts holds it to that). Not prepared: a
 * plan made while the tables were small would be kept.
 */
export function selectUsersWithMembershipsPg(providerId: string, externalIds: string[]): RawBuilder<UserWithMembership> {
  return sql<UserWithMembership>`
    select u.*, ms.group_id as m_group_id, ms.kind as m_kind, ms.name as m_name, ms.source as m_source, rm.any is not null as m_removals
    from unnest(${externalIds}::text[]) as k(external_id)
    join lateral (select * from users where provider_id = ${providerId} and external_id = k.external_id offset 0) u on true
    left join lateral (
      select m.group_id, g.kind, g.name, m.source from memberships m
      join lateral (select kind, name from groups where id = m.group_id offset 0) g on true
      where m.user_id = u.id offset 0
    ) ms on true
    left join lateral (select true as any from membership_removals where user_id = u.id limit 1) rm on true`;
}

const selectRemovals = compiledOnce((db, userId: string) => db.selectFrom('membership_removals').select(['kind', 'name', 'removed_at']).where('user_id', '=', userId));

/** The users of one burst of resolves of one provider, by subject, read together (read-batch.ts). */
async function readUsers(db: Kysely<Database>, providerId: string, externalIds: string[]): Promise<Map<string, UserState>> {
  const found = new Map<string, UserState>();
  const rows = isPostgres(db)
    ? (await selectUsersWithMembershipsPg(providerId, externalIds).execute(db)).rows
    : (await Promise.all(paddedChunks(externalIds).map((chunk) => selectUsersWithMemberships.get(chunk.length as ReadBatchSize)!(db, providerId, ...chunk)))).flat();
  for (const r of rows) {
    const { m_group_id: groupId, m_kind: kind, m_name: name, m_source: source, m_removals: removals, ...row } = r;
    let state = found.get(row.external_id);
    // m_removals: 1 on SQLite, true on PostgreSQL.
    if (!state) found.set(row.external_id, (state = { row, memberships: [], hasRemovals: Boolean(removals) }));
    if (groupId !== null) state.memberships.push({ groupId, kind: kind as MembershipKind, name: name!, source: source! });
  }
  return found;
}

/** A batched reader per database and provider. */
const userReaders = new WeakMap<Kysely<Database>, Map<string, BatchedReader<string, UserState>>>();

function loadUser(db: Kysely<Database>, providerId: string, externalId: string): Promise<UserState | undefined> {
  let byProvider = userReaders.get(db);
  if (!byProvider) userReaders.set(db, (byProvider = new Map<string, BatchedReader<string, UserState>>()));
  let reader = byProvider.get(providerId);
  if (!reader) byProvider.set(providerId, (reader = new BatchedReader((ids) => readUsers(db, providerId, ids))));
  return reader.read(externalId);
}

/** Removals that block re-adding: those written after the token was issued. */
async function blockingRemovals(db: Kysely<Database>, userId: string, wanted: Array<{ kind: MembershipKind; name: string }>, issuedAt: number | null): Promise<{ blocked: Set<string>; overridden: Set<string> }> {
  const blocked = new Set<string>();
  const overridden = new Set<string>();
  if (!wanted.length) return { blocked, overridden };
  const rows = await selectRemovals(db, userId);
  const wantedKeys = new Set(wanted.map((w) => key(w.kind, w.name)));
  for (const r of rows) {
    const k = key(r.kind, r.name);
    if (!wantedKeys.has(k)) continue;
    if (removalBlocks(r.removed_at, issuedAt === null ? null : issuedAt * 1000)) blocked.add(k);
    else overridden.add(k);
  }
  return { blocked, overridden };
}

async function planMemberships(db: Kysely<Database>, state: UserState | undefined, identity: TokenIdentity): Promise<MembershipPlan> {
  const current = state?.memberships ?? [];
  const currentKeys = new Set(current.map((m) => key(m.kind, m.name)));
  const desired: Array<{ kind: MembershipKind; name: string }> = [];
  const synced = new Set<MembershipKind>();
  for (const [kind, names] of [['group', identity.groups], ['role', identity.roles]] as const) {
    if (names === null) continue;
    synced.add(kind);
    for (const name of names) desired.push({ kind, name });
  }
  const desiredKeys = new Set(desired.map((d) => key(d.kind, d.name)));
  const missing = desired.filter((d) => !currentKeys.has(key(d.kind, d.name)));
  const { blocked, overridden } = state?.hasRemovals ? await blockingRemovals(db, state.row.id, missing, identity.issuedAt) : { blocked: new Set<string>(), overridden: new Set<string>() };
  return {
    add: missing.filter((d) => !blocked.has(key(d.kind, d.name))),
    remove: current.filter((m) => synced.has(m.kind) && !desiredKeys.has(key(m.kind, m.name)) && tokenMayRemove(m.source)),
    clearRemovals: missing.filter((d) => overridden.has(key(d.kind, d.name))),
  };
}

function namesAfter(state: UserState | undefined, plan: MembershipPlan, kind: MembershipKind): string[] {
  const removed = new Set(plan.remove.map((m) => m.groupId));
  const names = (state?.memberships ?? []).filter((m) => m.kind === kind && !removed.has(m.groupId)).map((m) => m.name);
  for (const a of plan.add) if (a.kind === kind) names.push(a.name);
  return [...new Set(names)].sort();
}

function newUserRow(provider: ProviderRef, identity: TokenIdentity, now: string): UserRow {
  return {
    id: newRowId('usr', Date.parse(now)),
    app_id: provider.app_id,
    provider_id: provider.id,
    external_id: identity.externalId,
    email: identity.email,
    name: identity.name,
    status: 'active',
    status_changed_at: null,
    status_source: null,
    seen: 1,
    sources: '["token"]',
    last_seen_at: now,
    created_at: now,
    updated_at: now,
  };
}

function profileChanges(row: UserRow, identity: TokenIdentity, nowMs: number): Partial<UserRow> | null {
  const changes: Partial<UserRow> = {};
  // A token without an email or name claim says nothing about them: keep what is known.
  if (identity.email !== null && identity.email !== row.email) changes.email = identity.email;
  if (identity.name !== null && identity.name !== row.name) changes.name = identity.name;
  if (!row.seen) changes.seen = 1;
  const sources = addSource(row.sources, 'token');
  if (sources) changes.sources = sources;
  if (lastSeenIsStale(row.last_seen_at, nowMs)) changes.last_seen_at = new Date(nowMs).toISOString();
  return Object.keys(changes).length ? changes : null;
}

/**
 * Creates or updates the token's user and syncs their groups and roles, in one transaction (shared
 * with concurrent resolves' writes: user-writes.ts), and only when something differs from what is
 * stored. `lockMappings` locks the provider's claim mappings in that transaction.
 */
export async function syncUserFromToken(db: Kysely<Database>, provider: ProviderRef, identity: TokenIdentity, lockMappings = false): Promise<SyncResult> {
  const state = await loadUser(db, provider.id, identity.externalId);
  if (state && state.row.status !== 'active') return { refused: true, user: userView(state.row) };
  const plan = await planMemberships(db, state, identity);
  const nowMs = Date.now();
  const profile = state ? profileChanges(state.row, identity, nowMs) : null;
  const needsWrite = !state || profile !== null || plan.add.length > 0 || plan.remove.length > 0 || plan.clearRemovals.length > 0;
  if (!needsWrite) {
    return { refused: false, user: userView(state.row), groups: namesAfter(state, plan, 'group'), roles: namesAfter(state, plan, 'role'), created: false, written: false, lastSeenAt: state.row.last_seen_at };
  }
  const now = new Date(nowMs).toISOString();
  // Only the provider's ids: callers pass its whole row (its discovery document, a sealed secret),
  // and on SQLite the write is copied to the writer thread: that copy was an eighth of the main
  // thread's busy time when PostgreSQL's batches went through such a thread too (profiled).
  const ref: ProviderRef = { id: provider.id, app_id: provider.app_id };
  const row = await batchedWrite(db, userWrites, { provider: ref, row: state?.row ?? newUserRow(ref, identity, now), isNew: !state, changes: profile, plan, now, lockMappings });
  // Lost the insert race: the row now exists (maybe refused by a webhook), so plan again against it.
  if (!row) return syncUserFromToken(db, provider, identity, lockMappings);
  return { refused: false, user: userView(row), groups: namesAfter(state, plan, 'group'), roles: namesAfter(state, plan, 'role'), created: !state, written: true, lastSeenAt: row.last_seen_at };
}

/**
 * syncUserFromToken for resolution and the wallet: unless `alreadyLocked`, the provider's claim
 * mappings are locked too — in the sync's transaction when it writes, on their own when it does
 * not (the first user may already exist, e.g. from a webhook). A refused user locks nothing.
 */
export async function syncUserAndLockMappings(db: Kysely<Database>, provider: ProviderRef, identity: TokenIdentity, alreadyLocked: boolean): Promise<SyncResult> {
  const sync = await syncUserFromToken(db, provider, identity, !alreadyLocked);
  if (!alreadyLocked && !sync.refused && !sync.written) await lockClaimMappings(db, provider.id);
  return sync;
}

/** Locks the provider's claim mappings: once users exist, changing them would orphan their identities. */
export async function lockClaimMappings(db: Kysely<Database>, providerId: string): Promise<void> {
  await db.updateTable('identity_providers').set({ claim_mappings_locked: 1 }).where('id', '=', providerId).where('claim_mappings_locked', '=', 0).execute();
}
