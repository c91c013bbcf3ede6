// Applies normalised lifecycle events (see webhooks/events.ts) to an app's users, groups and
// memberships, inside the caller's transaction, by the rules of src/directory/rules.ts:
// - status is `active` | `blocked` | `deprovisioned`; only these events change it, in the order of
//   the provider's event times, and never past an operator's block or deprovisioning;
// - a subject never seen gets a `seen = 0` row carrying the new status, so their first resolve is
//   refused too;
// - a removed membership leaves a `membership_removals` row: tokens issued before it cannot re-add it;
// - everything is keyed by provider_id, so another app's (or provider's) users are never touched.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { newRowId } from '../store/ordered-id.js';
import { recordAudit } from '../store/repos/audit.js';
import { recordUserEvents, type UserEvent } from '../store/repos/user-events.js';
import { addSource, judgeStatusChange, statusAction, type UserStatus } from '../directory/rules.js';
import type { GroupRef, LifecycleEvent, UserRef } from './webhooks/events.js';

export interface LifecycleTarget {
  providerId: string;
  appId: string;
}

export interface DeliveryMeta {
  /** Audit actor, `webhook:<provider id>`. */
  actor: string;
  deliveryId: string;
  /** The provider's own event type, for the audit trail. */
  providerEventType: string;
  now: string;
}

interface UserState {
  id: string;
  external_id: string;
  status: string;
  status_changed_at: string | null;
  status_source: string | null;
  sources: string;
  email: string | null;
  name: string | null;
}

const STATUS_AFTER: Record<'user.deleted' | 'user.blocked' | 'user.unblocked', UserStatus> = {
  'user.deleted': 'deprovisioned',
  'user.blocked': 'blocked',
  'user.unblocked': 'active',
};

function findUsers(tx: Kysely<Database>, providerId: string, ref: UserRef): Promise<UserState[]> {
  return tx
    .selectFrom('users')
    .select(['id', 'external_id', 'status', 'status_changed_at', 'status_source', 'sources', 'email', 'name'])
    .where('provider_id', '=', providerId)
    .where('external_id', 'in', ref.externalIds)
    .execute();
}

/**
 * The users an event is about. A subject never seen is inserted with `seen = 0` (one row per
 * identifier the event carries, since the user-id claim may hold any of them) and `initial` status.
 */
async function usersOf(
  tx: Kysely<Database>,
  target: LifecycleTarget,
  ref: UserRef,
  initial: { status: UserStatus; at: string | null; email?: string | null; name?: string | null },
  now: string,
): Promise<{ users: UserState[]; created: boolean }> {
  const known = await findUsers(tx, target.providerId, ref);
  if (known.length) return { users: known, created: false };
  for (const externalId of ref.externalIds) {
    await tx
      .insertInto('users')
      .values({
        id: newRowId('usr'),
        app_id: target.appId,
        provider_id: target.providerId,
        external_id: externalId,
        email: initial.email ?? null,
        name: initial.name ?? null,
        status: initial.status,
        status_changed_at: initial.at,
        status_source: initial.at ? 'webhook' : null,
        seen: 0,
        sources: '["webhook"]',
        created_at: now,
        updated_at: now,
      })
      // A first resolve racing this event may have created the row meanwhile: keep theirs.
      .onConflict((oc) => oc.columns(['provider_id', 'external_id']).doNothing())
      .execute();
  }
  return { users: await findUsers(tx, target.providerId, ref), created: true };
}

async function changeStatus(tx: Kysely<Database>, user: UserState, to: UserStatus, at: string, now: string): Promise<boolean> {
  if (judgeStatusChange(user, { to, at, source: 'webhook' }) !== 'apply') return false;
  await tx.updateTable('users').set({ status: to, status_changed_at: at, status_source: 'webhook', updated_at: now }).where('id', '=', user.id).execute();
  return true;
}

/** Notes that a webhook has stated this user (once). */
async function noteWebhookSource(tx: Kysely<Database>, user: UserState): Promise<void> {
  const sources = addSource(user.sources, 'webhook');
  if (sources) await tx.updateTable('users').set({ sources }).where('id', '=', user.id).execute();
}

function groupsNamed(tx: Kysely<Database>, providerId: string, group: GroupRef): Promise<Array<{ id: string; name: string }>> {
  return tx.selectFrom('groups').select(['id', 'name']).where('provider_id', '=', providerId).where('kind', '=', group.kind).where('name', 'in', group.names).execute();
}

async function tombstone(tx: Kysely<Database>, userId: string, kind: string, name: string, now: string): Promise<void> {
  await tx
    .insertInto('membership_removals')
    .values({ user_id: userId, kind, name, removed_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'name']).doUpdateSet({ removed_at: now }))
    .execute();
}

async function addMembership(tx: Kysely<Database>, providerId: string, userId: string, group: GroupRef, now: string): Promise<void> {
  let [existing] = await groupsNamed(tx, providerId, group);
  if (!existing) {
    // Of the names the event carries, the first is the one the group claim is expected to hold.
    const name = group.names[0]!;
    await tx
      .insertInto('groups')
      .values({ id: newRowId('grp'), provider_id: providerId, kind: group.kind, name, source: 'webhook', created_at: now })
      .onConflict((oc) => oc.columns(['provider_id', 'kind', 'name']).doNothing())
      .execute();
    [existing] = await groupsNamed(tx, providerId, { kind: group.kind, names: [name] });
  }
  // The newest statement owns the membership: once a webhook has said so, a token cannot remove it.
  await tx
    .insertInto('memberships')
    .values({ user_id: userId, group_id: existing!.id, source: 'webhook', created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'group_id']).doUpdateSet({ source: 'webhook' }))
    .execute();
  await tx.deleteFrom('membership_removals').where('user_id', '=', userId).where('kind', '=', group.kind).where('name', 'in', group.names).execute();
}

async function removeMembership(tx: Kysely<Database>, providerId: string, userId: string, group: GroupRef, now: string): Promise<void> {
  const groups = await groupsNamed(tx, providerId, group);
  if (groups.length) await tx.deleteFrom('memberships').where('user_id', '=', userId).where('group_id', 'in', groups.map((g) => g.id)).execute();
  // Every name is tombstoned: whichever one the claim carries, an older token cannot bring it back.
  for (const name of group.names) await tombstone(tx, userId, group.kind, name, now);
}

/** Remembers the group's other identifiers (see GroupRef.aliases). */
async function rememberAliases(tx: Kysely<Database>, providerId: string, group: GroupRef): Promise<void> {
  const name = group.names[0]!;
  for (const alias of group.aliases ?? []) {
    await tx
      .insertInto('group_aliases')
      .values({ provider_id: providerId, kind: group.kind, alias, name })
      .onConflict((oc) => oc.columns(['provider_id', 'kind', 'alias']).doUpdateSet({ name }))
      .execute();
  }
}

/** The group's names plus those its names are remembered aliases of. */
async function withAliasedNames(tx: Kysely<Database>, providerId: string, group: GroupRef): Promise<GroupRef> {
  const rows = await tx.selectFrom('group_aliases').select('name').where('provider_id', '=', providerId).where('kind', '=', group.kind).where('alias', 'in', group.names).execute();
  return { ...group, names: [...new Set([...group.names, ...rows.map((r) => r.name)])] };
}

async function deleteGroup(tx: Kysely<Database>, providerId: string, named: GroupRef, now: string): Promise<UserEvent[]> {
  const group = await withAliasedNames(tx, providerId, named);
  const groups = await groupsNamed(tx, providerId, group);
  if (!groups.length) return [];
  const ids = groups.map((g) => g.id);
  const members = await tx.selectFrom('memberships').select(['user_id', 'group_id']).where('group_id', 'in', ids).execute();
  const events: UserEvent[] = [];
  for (const m of members) {
    const name = groups.find((g) => g.id === m.group_id)!.name;
    await tombstone(tx, m.user_id, group.kind, name, now);
    events.push({ userId: m.user_id, source: 'webhook', action: 'membership_removed', detail: { kind: group.kind, name, reason: 'group_deleted' } });
  }
  await tx.deleteFrom('memberships').where('group_id', 'in', ids).execute();
  await tx.deleteFrom('groups').where('id', 'in', ids).execute();
  return events;
}

interface Applied {
  user: UserState;
  /** For the audit entry. */
  details: Record<string, unknown>;
  /** For the user's lifecycle log. */
  events: Array<Omit<UserEvent, 'userId' | 'source'>>;
}

async function applyUserEvent(tx: Kysely<Database>, target: LifecycleTarget, event: Exclude<LifecycleEvent, { type: 'group.deleted' }>, meta: DeliveryMeta): Promise<Applied[]> {
  const at = event.occurredAt ?? meta.now;
  const created = (status: string): Applied['events'] => [{ action: 'created', detail: { status } }];
  switch (event.type) {
    case 'user.deleted':
    case 'user.blocked':
    case 'user.unblocked': {
      const to = STATUS_AFTER[event.type];
      const { users, created: isNew } = await usersOf(tx, target, event.user, { status: to, at }, meta.now);
      const out: Applied[] = [];
      for (const user of users) {
        const changed = isNew ? false : await changeStatus(tx, user, to, at, meta.now);
        const events = isNew ? created(to) : changed ? [{ action: statusAction(user.status, to), detail: { provider_event: meta.providerEventType } }] : [];
        out.push({ user, details: { status_before: isNew ? null : user.status, status: changed || isNew ? to : user.status, never_seen: isNew }, events });
      }
      return out;
    }
    case 'user.updated': {
      const { users, created: isNew } = await usersOf(tx, target, event.user, { status: 'active', at: null, email: event.email, name: event.name }, meta.now);
      const out: Applied[] = [];
      for (const user of users) {
        const patch: { email?: string; name?: string } = {};
        if (event.email && event.email !== user.email) patch.email = event.email;
        if (event.name && event.name !== user.name) patch.name = event.name;
        const update = !isNew && Object.keys(patch).length > 0;
        if (update) await tx.updateTable('users').set({ ...patch, updated_at: meta.now }).where('id', '=', user.id).execute();
        out.push({ user, details: { updated: Object.keys(patch), never_seen: isNew }, events: isNew ? created('active') : update ? [{ action: 'updated', detail: patch }] : [] });
      }
      return out;
    }
    case 'membership.added':
    case 'membership.removed': {
      const { users, created: isNew } = await usersOf(tx, target, event.user, { status: 'active', at: null }, meta.now);
      await rememberAliases(tx, target.providerId, event.group);
      const action = event.type === 'membership.added' ? 'membership_added' : 'membership_removed';
      for (const user of users) {
        if (event.type === 'membership.added') await addMembership(tx, target.providerId, user.id, event.group, meta.now);
        else await removeMembership(tx, target.providerId, user.id, event.group, meta.now);
      }
      return users.map((user) => ({
        user,
        details: { kind: event.group.kind, group: event.group.names, never_seen: isNew },
        events: [...(isNew ? created('active') : []), { action, detail: { kind: event.group.kind, name: event.group.names[0] } }],
      }));
    }
  }
}

/** Applies one provider event's lifecycle events and audits each; the caller bumps invalidation. */
export async function applyLifecycleEvents(tx: Kysely<Database>, target: LifecycleTarget, events: LifecycleEvent[], meta: DeliveryMeta): Promise<void> {
  const audit = (action: string, auditTarget: string, details: Record<string, unknown>): Promise<void> =>
    recordAudit(tx, {
      actor: meta.actor,
      action: `webhook.${action}`,
      appId: target.appId,
      target: auditTarget,
      details: { ...details, delivery_id: meta.deliveryId, provider_event: meta.providerEventType },
    });
  const log: UserEvent[] = [];
  for (const event of events) {
    if (event.type === 'group.deleted') {
      const removed = await deleteGroup(tx, target.providerId, event.group, meta.now);
      log.push(...removed);
      await audit(event.type, `${event.group.kind}:${event.group.names.join('|')}`, { members_removed: removed.length });
      continue;
    }
    for (const { user, details, events: happened } of await applyUserEvent(tx, target, event, meta)) {
      await noteWebhookSource(tx, user);
      log.push(...happened.map((e) => ({ ...e, userId: user.id, source: 'webhook' as const })));
      await audit(event.type, user.id, { external_id: user.external_id, ...details });
    }
  }
  await recordUserEvents(tx, log);
}
