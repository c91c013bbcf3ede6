// Users provisioned just in time from verified tokens, and their groups and roles, by the rules of
// src/directory/rules.ts:
// - a token never changes `status`: a blocked or deprovisioned user is refused, whatever it says;
// - a membership removed at T (a `membership_removals` row) is not re-added by a token issued
//   before T; a token issued at or after T adds it again and clears the removal;
// - a token removes only memberships that tokens added, never a directory source's;
// - nothing is written when nothing changed, so the steady state of resolution is read-only
//   (last_seen_at is refreshed at most once an hour).
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.js';
import { newId } from '../../crypto/tokens.js';
import { recordAudit } from './audit.js';
import { batchedTransaction } from '../write-batch.js';
import { recordUserEvents, type UserEvent } from './user-events.js';
import { addSource, lastSeenIsStale, removalBlocks, tokenMayRemove } from '../../directory/rules.js';

export type UserRow = Selectable<UsersTable>;
export type MembershipKind = 'group' | 'role';

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

export interface ProviderRef {
  id: string;
  app_id: string;
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

interface Membership {
  groupId: string;
  kind: MembershipKind;
  name: string;
  source: string;
}

interface UserState {
  row: UserRow;
  memberships: Membership[];
}

export function userView(row: UserRow): UserView {
  return { id: row.id, external_id: row.external_id, email: row.email, name: row.name, status: row.status };
}

async function loadUser(db: Kysely<Database>, providerId: string, externalId: string): Promise<UserState | undefined> {
  const row = await db.selectFrom('users').selectAll().where('provider_id', '=', providerId).where('external_id', '=', externalId).executeTakeFirst();
  if (!row) return undefined;
  const memberships = await db
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .select(['groups.id as groupId', 'groups.kind', 'groups.name', 'memberships.source'])
    .where('memberships.user_id', '=', row.id)
    .execute();
  return { row, memberships: memberships.map((m) => ({ groupId: m.groupId, kind: m.kind as MembershipKind, name: m.name, source: m.source })) };
}

const key = (kind: string, name: string): string => `${kind}\u0000${name}`;

interface MembershipPlan {
  add: Array<{ kind: MembershipKind; name: string }>;
  remove: Membership[];
  /** Removal rows a newer token overrides: deleted along with the add. */
  clearRemovals: Array<{ kind: MembershipKind; name: string }>;
}

/** Removals that block re-adding: those written after the token was issued. */
async function blockingRemovals(db: Kysely<Database>, userId: string, wanted: Array<{ kind: MembershipKind; name: string }>, issuedAt: number | null): Promise<{ blocked: Set<string>; overridden: Set<string> }> {
  const blocked = new Set<string>();
  const overridden = new Set<string>();
  if (!wanted.length) return { blocked, overridden };
  const rows = await db.selectFrom('membership_removals').select(['kind', 'name', 'removed_at']).where('user_id', '=', userId).execute();
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
  const { blocked, overridden } = state ? await blockingRemovals(db, state.row.id, missing, identity.issuedAt) : { blocked: new Set<string>(), overridden: new Set<string>() };
  return {
    add: missing.filter((d) => !blocked.has(key(d.kind, d.name))),
    remove: current.filter((m) => synced.has(m.kind) && !desiredKeys.has(key(m.kind, m.name)) && tokenMayRemove(m.source)),
    clearRemovals: missing.filter((d) => overridden.has(key(d.kind, d.name))),
  };
}

/**
 * Adds the token's new memberships: per kind, the groups it names are created if missing, then the
 * memberships are inserted straight from the groups table (no read of the group ids in between:
 * on PostgreSQL every statement is a round trip, and this path runs for every write of resolution).
 */
async function addMemberships(tx: Kysely<Database>, providerId: string, userId: string, add: MembershipPlan['add'], now: string): Promise<void> {
  for (const kind of ['group', 'role'] as const) {
    const names = add.filter((w) => w.kind === kind).map((w) => w.name);
    if (!names.length) continue;
    await tx
      .insertInto('groups')
      .values(names.map((name) => ({ id: newId('grp'), provider_id: providerId, kind, name, source: 'token', created_at: now })))
      .onConflict((oc) => oc.columns(['provider_id', 'kind', 'name']).doNothing())
      .execute();
    await tx
      .insertInto('memberships')
      .columns(['user_id', 'group_id', 'source', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('groups')
          .select([eb.val(userId).as('user_id'), 'id', eb.val('token').as('source'), eb.val(now).as('created_at')])
          .where('provider_id', '=', providerId)
          .where('kind', '=', kind)
          .where('name', 'in', names),
      )
      .onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing())
      .execute();
  }
}

function membershipEvents(userId: string, plan: MembershipPlan): UserEvent[] {
  return [
    ...plan.add.map((a) => ({ userId, source: 'token' as const, action: 'membership_added', detail: { kind: a.kind, name: a.name } })),
    ...plan.remove.map((m) => ({ userId, source: 'token' as const, action: 'membership_removed', detail: { kind: m.kind, name: m.name } })),
  ];
}

async function applyMemberships(tx: Kysely<Database>, provider: ProviderRef, userId: string, plan: MembershipPlan, now: string): Promise<void> {
  await addMemberships(tx, provider.id, userId, plan.add, now);
  if (plan.remove.length) {
    await tx.deleteFrom('memberships').where('user_id', '=', userId).where('group_id', 'in', plan.remove.map((m) => m.groupId)).execute();
  }
  for (const r of plan.clearRemovals) {
    await tx.deleteFrom('membership_removals').where('user_id', '=', userId).where('kind', '=', r.kind).where('name', '=', r.name).execute();
  }
}

function namesAfter(state: UserState | undefined, plan: MembershipPlan, kind: MembershipKind): string[] {
  const removed = new Set(plan.remove.map((m) => m.groupId));
  const names = (state?.memberships ?? []).filter((m) => m.kind === kind && !removed.has(m.groupId)).map((m) => m.name);
  for (const a of plan.add) if (a.kind === kind) names.push(a.name);
  return [...new Set(names)].sort();
}

/** Inserts the user; false when a concurrent resolve (or webhook) inserted the subject first. */
async function insertUser(tx: Kysely<Database>, provider: ProviderRef, identity: TokenIdentity, now: string): Promise<UserRow | null> {
  const row: UserRow = {
    id: newId('usr'),
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
  const res = await tx.insertInto('users').values(row).onConflict((oc) => oc.columns(['provider_id', 'external_id']).doNothing()).executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  await recordAudit(tx, { actor: 'resolve', action: 'user.create', appId: provider.app_id, target: row.id, details: { provider_id: provider.id, external_id: identity.externalId } });
  await recordUserEvents(tx, [{ userId: row.id, source: 'token', action: 'created', detail: { email: row.email, name: row.name } }]);
  return row;
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

/** The profile fields a change touched, for the user's event log (not bookkeeping columns). */
function profileEvent(userId: string, changes: Partial<UserRow>): UserEvent[] {
  const fields = (['email', 'name'] as const).filter((f) => f in changes);
  return fields.length ? [{ userId, source: 'token', action: 'updated', detail: Object.fromEntries(fields.map((f) => [f, changes[f]])) }] : [];
}

/**
 * Creates or updates the token's user and syncs their groups and roles, in one transaction, and
 * only when something differs from what is stored. `onWrite` runs inside that transaction (the
 * caller locks the provider's claim mappings there).
 */
export async function syncUserFromToken(
  db: Kysely<Database>,
  provider: ProviderRef,
  identity: TokenIdentity,
  onWrite?: (tx: Kysely<Database>) => Promise<void>,
): Promise<SyncResult> {
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
  // Group commit: concurrent resolves' writes share one transaction (write-batch.ts).
  const outcome = await batchedTransaction(db, async (tx) => {
    let row = state?.row ?? (await insertUser(tx, provider, identity, now));
    if (!row) return null;
    const changes = state ? profile : null;
    if (changes) {
      // Seen-at alone is bookkeeping, not a change of the user.
      const touched = Object.keys(changes).some((k) => k !== 'last_seen_at');
      await tx.updateTable('users').set(touched ? { ...changes, updated_at: now } : changes).where('id', '=', row.id).execute();
      row = { ...row, ...changes, ...(touched ? { updated_at: now } : {}) };
    }
    await applyMemberships(tx, provider, row.id, plan, now);
    await recordUserEvents(tx, [...(changes ? profileEvent(row.id, changes) : []), ...membershipEvents(row.id, plan)]);
    if (onWrite) await onWrite(tx);
    return row;
  });
  // Lost the insert race: the row now exists (maybe refused by a webhook), so plan again against it.
  if (!outcome) return syncUserFromToken(db, provider, identity, onWrite);
  return { refused: false, user: userView(outcome), groups: namesAfter(state, plan, 'group'), roles: namesAfter(state, plan, 'role'), created: !state, written: true, lastSeenAt: outcome.last_seen_at };
}

/**
 * syncUserFromToken for resolution and the wallet: unless `alreadyLocked`, the provider's claim
 * mappings are locked too — in the sync's transaction when it writes, on their own when it does
 * not (the first user may already exist, e.g. from a webhook). A refused user locks nothing.
 */
export async function syncUserAndLockMappings(db: Kysely<Database>, provider: ProviderRef, identity: TokenIdentity, alreadyLocked: boolean): Promise<SyncResult> {
  const lock = alreadyLocked ? undefined : (tx: Kysely<Database>) => lockClaimMappings(tx, provider.id);
  const sync = await syncUserFromToken(db, provider, identity, lock);
  if (lock && !sync.refused && !sync.written) await lock(db);
  return sync;
}

/** Locks the provider's claim mappings: once users exist, changing them would orphan their identities. */
export async function lockClaimMappings(db: Kysely<Database>, providerId: string): Promise<void> {
  await db.updateTable('identity_providers').set({ claim_mappings_locked: 1 }).where('id', '=', providerId).where('claim_mappings_locked', '=', 0).execute();
}
