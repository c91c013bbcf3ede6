// Applies normalised lifecycle events (see webhooks/events.ts) to an app's users, groups and
// memberships, inside the caller's transaction. The conventions shared with resolution:
// - status is `active` | `blocked` | `deprovisioned`; only these events change it;
// - a subject never seen gets a `seen = 0` row carrying the new status, so their first resolve is
//   refused too;
// - a removed membership leaves a `membership_removals` row: tokens issued before it cannot re-add it;
// - everything is keyed by provider_id, so another app's (or provider's) users are never touched.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { newId } from '../crypto/tokens.js';
import { recordAudit } from '../store/repos/audit.js';
import type { GroupRef, LifecycleEvent, UserRef } from './webhooks/events.js';

export type UserStatus = 'active' | 'blocked' | 'deprovisioned';

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
    .select(['id', 'external_id', 'status', 'status_changed_at', 'email', 'name'])
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
        id: newId('usr'),
        app_id: target.appId,
        provider_id: target.providerId,
        external_id: externalId,
        email: initial.email ?? null,
        name: initial.name ?? null,
        status: initial.status,
        status_changed_at: initial.at,
        seen: 0,
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
  // Providers retry and reorder: an event older than the last status change must not undo it.
  if (user.status_changed_at && at < user.status_changed_at) return false;
  // Deprovisioning is the stronger refusal; a later block does not weaken it.
  if (to === 'blocked' && user.status === 'deprovisioned') return false;
  if (user.status === to) return false;
  await tx.updateTable('users').set({ status: to, status_changed_at: at, updated_at: now }).where('id', '=', user.id).execute();
  return true;
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
      .values({ id: newId('grp'), provider_id: providerId, kind: group.kind, name, created_at: now })
      .onConflict((oc) => oc.columns(['provider_id', 'kind', 'name']).doNothing())
      .execute();
    [existing] = await groupsNamed(tx, providerId, { kind: group.kind, names: [name] });
  }
  await tx.insertInto('memberships').values({ user_id: userId, group_id: existing!.id, created_at: now }).onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing()).execute();
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

async function deleteGroup(tx: Kysely<Database>, providerId: string, named: GroupRef, now: string): Promise<number> {
  const group = await withAliasedNames(tx, providerId, named);
  const groups = await groupsNamed(tx, providerId, group);
  if (!groups.length) return 0;
  const ids = groups.map((g) => g.id);
  const members = await tx.selectFrom('memberships').select(['user_id', 'group_id']).where('group_id', 'in', ids).execute();
  for (const m of members) await tombstone(tx, m.user_id, group.kind, groups.find((g) => g.id === m.group_id)!.name, now);
  await tx.deleteFrom('memberships').where('group_id', 'in', ids).execute();
  await tx.deleteFrom('groups').where('id', 'in', ids).execute();
  return members.length;
}

async function applyUserEvent(tx: Kysely<Database>, target: LifecycleTarget, event: Exclude<LifecycleEvent, { type: 'group.deleted' }>, meta: DeliveryMeta): Promise<Array<{ user: UserState; details: Record<string, unknown> }>> {
  const at = event.occurredAt ?? meta.now;
  switch (event.type) {
    case 'user.deleted':
    case 'user.blocked':
    case 'user.unblocked': {
      const to = STATUS_AFTER[event.type];
      const { users, created } = await usersOf(tx, target, event.user, { status: to, at }, meta.now);
      const out = [];
      for (const user of users) {
        const changed = created ? false : await changeStatus(tx, user, to, at, meta.now);
        out.push({ user, details: { status_before: created ? null : user.status, status: changed || created ? to : user.status, never_seen: created } });
      }
      return out;
    }
    case 'user.updated': {
      const { users, created } = await usersOf(tx, target, event.user, { status: 'active', at: null, email: event.email, name: event.name }, meta.now);
      const out = [];
      for (const user of users) {
        const patch: { email?: string; name?: string } = {};
        if (event.email && event.email !== user.email) patch.email = event.email;
        if (event.name && event.name !== user.name) patch.name = event.name;
        if (!created && Object.keys(patch).length) await tx.updateTable('users').set({ ...patch, updated_at: meta.now }).where('id', '=', user.id).execute();
        out.push({ user, details: { updated: Object.keys(patch), never_seen: created } });
      }
      return out;
    }
    case 'membership.added':
    case 'membership.removed': {
      const { users, created } = await usersOf(tx, target, event.user, { status: 'active', at: null }, meta.now);
      await rememberAliases(tx, target.providerId, event.group);
      for (const user of users) {
        if (event.type === 'membership.added') await addMembership(tx, target.providerId, user.id, event.group, meta.now);
        else await removeMembership(tx, target.providerId, user.id, event.group, meta.now);
      }
      return users.map((user) => ({ user, details: { kind: event.group.kind, group: event.group.names, never_seen: created } }));
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
  for (const event of events) {
    if (event.type === 'group.deleted') {
      const members = await deleteGroup(tx, target.providerId, event.group, meta.now);
      await audit(event.type, `${event.group.kind}:${event.group.names.join('|')}`, { members_removed: members });
      continue;
    }
    for (const { user, details } of await applyUserEvent(tx, target, event, meta)) {
      await audit(event.type, user.id, { external_id: user.external_id, ...details });
    }
  }
}
