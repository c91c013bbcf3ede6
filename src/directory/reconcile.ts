// Applies a complete snapshot of a provider's directory (read by a DirectorySource, or later built
// from SCIM) to the provider's users and memberships, by the rules of rules.ts:
// - present users are created or updated; their status follows the directory unless a newer
//   statement (a webhook event after the snapshot began) or an operator's lock says otherwise;
// - users absent from the snapshot are deprovisioned (`missing_from_directory`);
// - for the kinds the source provides, the snapshot's memberships replace the stored ones whatever
//   source added them, except statements newer than the snapshot; removals are tombstoned at the
//   snapshot's start, so that only a token issued after it can add the membership again.
// Safeguards run before anything is written: an empty snapshot while the provider has users, or
// more deprovisionings than the threshold, aborts the run with nothing changed. Everything is
// planned and written inside one transaction, so a crash never leaves a run half-applied, and
// every write is conditional on the row being as it was read, so a concurrent webhook's newer
// statement is never overwritten.
import type { Insertable, Kysely } from 'kysely';
import type { Database, UsersTable } from '../store/schema.js';
import { newRowId } from '../store/ordered-id.js';
import { recordUserEvents, type UserEvent } from '../store/repos/user-events.js';
import { addSource, judgeStatusChange, removalBlocks, statusAction, type UserStatus } from './rules.js';
import type { MembershipKind, Snapshot } from './sources/source.js';

export interface SyncCounts {
  users_seen: number;
  groups_seen: number;
  created: number;
  updated: number;
  blocked: number;
  unblocked: number;
  deprovisioned: number;
  memberships_added: number;
  memberships_removed: number;
}

/** At most this many deprovisionings per run, unless forced: a share of the active users, or a count. */
export type DeletionThreshold = { percent: number } | { count: number };

export interface ReconcileOptions {
  /** When the snapshot began to be read: the time of every statement it makes. */
  startedAt: string;
  dryRun: boolean;
  force: boolean;
  threshold: DeletionThreshold;
}

export type AbortReason = 'empty_snapshot' | 'deletion_threshold';

/** A safeguard stopped the run before anything was written. */
export class ReconcileAborted extends Error {
  constructor(
    readonly reason: AbortReason,
    message: string,
    readonly counts: SyncCounts,
  ) {
    super(message);
    this.name = 'ReconcileAborted';
  }
}

interface StoredUser {
  id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  status: string;
  status_changed_at: string | null;
  status_source: string | null;
  sources: string;
}

const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const mkey = (userId: string, kind: string, name: string): string => `${userId}\u0000${kind}\u0000${name}`;

export function emptyCounts(): SyncCounts {
  return { users_seen: 0, groups_seen: 0, created: 0, updated: 0, blocked: 0, unblocked: 0, deprovisioned: 0, memberships_added: 0, memberships_removed: 0 };
}

export function deletionLimit(threshold: DeletionThreshold, activeUsers: number): number {
  return 'count' in threshold ? threshold.count : Math.ceil((activeUsers * threshold.percent) / 100);
}

function countStatus(counts: SyncCounts, to: UserStatus): void {
  if (to === 'active') counts.unblocked++;
  else if (to === 'blocked') counts.blocked++;
  else counts.deprovisioned++;
}

/** Plans and (unless a dry run) applies `snapshot`, in `tx`; the counts of what changed (or would). */
export async function reconcileSnapshot(tx: Kysely<Database>, provider: { id: string; app_id: string }, snapshot: Snapshot, opts: ReconcileOptions): Promise<SyncCounts> {
  const { startedAt } = opts;
  const counts = emptyCounts();
  counts.users_seen = snapshot.users.length;
  counts.groups_seen = snapshot.groups.length;
  const stored = await tx.selectFrom('users').select(['id', 'external_id', 'email', 'name', 'status', 'status_changed_at', 'status_source', 'sources']).where('provider_id', '=', provider.id).execute();
  const byExternalId = new Map<string, StoredUser>(stored.map((u) => [u.external_id, u]));

  if (!snapshot.users.length && stored.some((u) => u.status !== 'deprovisioned')) {
    throw new ReconcileAborted('empty_snapshot', 'the directory answered with no users while this provider has users: nothing was changed (an empty answer is more often a wrong filter or a broken API than an empty company)', counts);
  }

  const now = new Date().toISOString();
  const events: UserEvent[] = [];
  const newUsers: Array<Insertable<UsersTable>> = [];
  const statusWrites: Array<{ user: StoredUser; to: UserStatus; detail: Record<string, unknown> }> = [];
  const profileWrites: Array<{ user: StoredUser; email: string | null; name: string | null; sources: string | null }> = [];

  const present = new Set<string>();
  for (const u of snapshot.users) {
    present.add(u.externalId);
    const user = byExternalId.get(u.externalId);
    if (!user) {
      counts.created++;
      const id = newRowId('usr');
      newUsers.push({ id, app_id: provider.app_id, provider_id: provider.id, external_id: u.externalId, email: u.email, name: u.name, status: u.status, status_changed_at: startedAt, status_source: 'sync', seen: 0, sources: '["sync"]', last_seen_at: null, created_at: now, updated_at: now });
      events.push({ userId: id, source: 'sync', action: 'created', detail: { status: u.status } });
      byExternalId.set(u.externalId, { id, external_id: u.externalId, email: u.email, name: u.name, status: u.status, status_changed_at: startedAt, status_source: 'sync', sources: '["sync"]' });
      continue;
    }
    const email = u.email !== null && u.email !== user.email ? u.email : null;
    const name = u.name !== null && u.name !== user.name ? u.name : null;
    const sources = addSource(user.sources, 'sync');
    if (email !== null || name !== null || sources !== null) profileWrites.push({ user, email, name, sources });
    if (email !== null || name !== null) {
      counts.updated++;
      events.push({ userId: user.id, source: 'sync', action: 'updated', detail: { ...(email !== null ? { email } : {}), ...(name !== null ? { name } : {}) } });
    }
    if (judgeStatusChange(user, { to: u.status, at: startedAt, source: 'sync' }) === 'apply') statusWrites.push({ user, to: u.status, detail: {} });
  }
  for (const user of stored) {
    if (present.has(user.external_id) || user.status === 'deprovisioned') continue;
    if (judgeStatusChange(user, { to: 'deprovisioned', at: startedAt, source: 'sync' }) === 'apply') statusWrites.push({ user, to: 'deprovisioned', detail: { reason: 'missing_from_directory' } });
  }
  for (const w of statusWrites) countStatus(counts, w.to);

  const activeUsers = stored.filter((u) => u.status === 'active').length;
  const limit = deletionLimit(opts.threshold, activeUsers);
  if (counts.deprovisioned > limit && !opts.force) {
    throw new ReconcileAborted('deletion_threshold', `this run would deprovision ${counts.deprovisioned} users, more than the deletion threshold allows (${limit} of ${activeUsers} active): nothing was changed; check the directory, then run again with --force or raise --deletion-threshold`, counts);
  }

  const membershipPlan = await planMemberships(tx, provider.id, snapshot, byExternalId, startedAt);
  counts.memberships_added = membershipPlan.add.length;
  counts.memberships_removed = membershipPlan.remove.length;
  if (opts.dryRun) return counts;

  for (const batch of chunks(newUsers)) await tx.insertInto('users').values(batch).onConflict((oc) => oc.columns(['provider_id', 'external_id']).doNothing()).execute();
  for (const p of profileWrites) {
    await tx
      .updateTable('users')
      .set({ ...(p.email !== null ? { email: p.email } : {}), ...(p.name !== null ? { name: p.name } : {}), ...(p.sources !== null ? { sources: p.sources } : {}), ...(p.email !== null || p.name !== null ? { updated_at: now } : {}) })
      .where('id', '=', p.user.id)
      .execute();
  }
  for (const w of statusWrites) {
    // Only if the status is still what was read: a webhook that changed it meanwhile is newer.
    const res = await tx
      .updateTable('users')
      .set({ status: w.to, status_changed_at: startedAt, status_source: 'sync', updated_at: now })
      .where('id', '=', w.user.id)
      .where('status', '=', w.user.status)
      .where((eb) => (w.user.status_changed_at === null ? eb('status_changed_at', 'is', null) : eb('status_changed_at', '=', w.user.status_changed_at)))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) events.push({ userId: w.user.id, source: 'sync', action: statusAction(w.user.status, w.to), detail: Object.keys(w.detail).length ? w.detail : null });
  }
  await applyMemberships(tx, provider.id, membershipPlan, startedAt, now);
  events.push(...membershipPlan.events);
  for (const batch of chunks(events)) await recordUserEvents(tx, batch);
  return counts;
}

interface MembershipPlan {
  groups: Array<{ kind: MembershipKind; name: string }>;
  add: Array<{ userId: string; kind: MembershipKind; name: string }>;
  remove: Array<{ userId: string; groupId: string; kind: string; name: string }>;
  /** Removals older than the snapshot, which its adds override. */
  clearRemovals: Array<{ userId: string; kind: MembershipKind; name: string }>;
  events: UserEvent[];
}

async function planMemberships(tx: Kysely<Database>, providerId: string, snapshot: Snapshot, users: Map<string, StoredUser>, startedAt: string): Promise<MembershipPlan> {
  const kinds = new Set(snapshot.kinds);
  const plan: MembershipPlan = { groups: snapshot.groups.filter((g) => kinds.has(g.kind)), add: [], remove: [], clearRemovals: [], events: [] };
  if (!kinds.size) return plan;
  const current = await tx
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'memberships.group_id', 'memberships.created_at', 'groups.kind', 'groups.name', 'users.external_id'])
    .where('groups.provider_id', '=', providerId)
    .where('groups.kind', 'in', [...kinds])
    .execute();
  const removals = await tx
    .selectFrom('membership_removals')
    .innerJoin('users', 'users.id', 'membership_removals.user_id')
    .select(['membership_removals.user_id', 'membership_removals.kind', 'membership_removals.name', 'membership_removals.removed_at'])
    .where('users.provider_id', '=', providerId)
    .execute();
  const removedAt = new Map(removals.map((r) => [mkey(r.user_id, r.kind, r.name), r.removed_at]));
  const inSnapshot = new Set(snapshot.users.map((u) => u.externalId));
  const desired = new Set<string>();
  const startedMs = Date.parse(startedAt);
  for (const m of snapshot.memberships) {
    const user = users.get(m.externalId);
    if (!user || !kinds.has(m.kind)) continue;
    const k = mkey(user.id, m.kind, m.name);
    if (desired.has(k)) continue;
    desired.add(k);
    const removed = removedAt.get(k);
    // A removal stated after the snapshot began wins over it.
    if (removed !== undefined && removalBlocks(removed, startedMs)) continue;
    if (removed !== undefined) plan.clearRemovals.push({ userId: user.id, kind: m.kind, name: m.name });
    plan.add.push({ userId: user.id, kind: m.kind, name: m.name });
  }
  const held = new Set<string>();
  for (const c of current) {
    const k = mkey(c.user_id, c.kind, c.name);
    held.add(k);
    // Users absent from the snapshot are deprovisioned; their memberships are left as they were.
    if (!inSnapshot.has(c.external_id) || desired.has(k) || c.created_at > startedAt) continue;
    plan.remove.push({ userId: c.user_id, groupId: c.group_id, kind: c.kind, name: c.name });
  }
  plan.add = plan.add.filter((a) => !held.has(mkey(a.userId, a.kind, a.name)));
  for (const a of plan.add) plan.events.push({ userId: a.userId, source: 'sync', action: 'membership_added', detail: { kind: a.kind, name: a.name } });
  for (const r of plan.remove) plan.events.push({ userId: r.userId, source: 'sync', action: 'membership_removed', detail: { kind: r.kind, name: r.name } });
  return plan;
}

async function applyMemberships(tx: Kysely<Database>, providerId: string, plan: MembershipPlan, startedAt: string, now: string): Promise<void> {
  for (const batch of chunks(plan.groups)) {
    await tx
      .insertInto('groups')
      .values(batch.map((g) => ({ id: newRowId('grp'), provider_id: providerId, kind: g.kind, name: g.name, source: 'sync', created_at: now })))
      .onConflict((oc) => oc.columns(['provider_id', 'kind', 'name']).doNothing())
      .execute();
  }
  const groupIds = new Map<string, string>();
  for (const kind of ['group', 'role'] as const) {
    const names = [...new Set(plan.add.filter((a) => a.kind === kind).map((a) => a.name))];
    for (const batch of chunks(names)) {
      const rows = await tx.selectFrom('groups').select(['id', 'name']).where('provider_id', '=', providerId).where('kind', '=', kind).where('name', 'in', batch).execute();
      for (const r of rows) groupIds.set(`${kind}\u0000${r.name}`, r.id);
    }
  }
  for (const batch of chunks(plan.add)) {
    await tx
      .insertInto('memberships')
      .values(batch.map((a) => ({ user_id: a.userId, group_id: groupIds.get(`${a.kind}\u0000${a.name}`)!, source: 'sync', created_at: startedAt })))
      .onConflict((oc) => oc.columns(['user_id', 'group_id']).doUpdateSet({ source: 'sync' }))
      .execute();
  }
  for (const r of plan.remove) {
    await tx.deleteFrom('memberships').where('user_id', '=', r.userId).where('group_id', '=', r.groupId).execute();
    await tx
      .insertInto('membership_removals')
      .values({ user_id: r.userId, kind: r.kind, name: r.name, removed_at: startedAt })
      .onConflict((oc) => oc.columns(['user_id', 'kind', 'name']).doUpdateSet({ removed_at: startedAt }))
      .execute();
  }
  for (const c of plan.clearRemovals) {
    await tx.deleteFrom('membership_removals').where('user_id', '=', c.userId).where('kind', '=', c.kind).where('name', '=', c.name).execute();
  }
}
