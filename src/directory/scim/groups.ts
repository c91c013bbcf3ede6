// SCIM Groups as the directory's groups (kind `group`). A SCIM group is named for tokens by its
// displayName, or by its externalId for providers whose group claims carry ids (Entra ID object
// ids): a group tokens already named that way becomes the SCIM group. Members are directory users of
// the same provider; SCIM states memberships one by one (source `scim`), and a removal is
// tombstoned, so a token issued before it cannot bring the membership back. Renames and member
// changes reach resolve answers on every process within a second.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, GroupsTable, ScimGroupsTable } from '../../store/schema.js';
import { newRowId } from '../../store/ordered-id.js';
import { isUniqueViolation } from '../../store/database.js';
import { recordAudit } from '../../store/repos/audit.js';
import { recordUserEvents, type UserEvent } from '../../store/repos/user-events.js';
import { ScimError } from './errors.js';
import type { Filter } from './filter.js';
import { groupFilterSql } from './filter-sql.js';
import { groupPatchChanges, parsePatch } from './patch.js';
import { groupFromScim } from './resources.js';
import type { ScimScope } from './scope.js';

export interface ScimGroup {
  group: Selectable<GroupsTable>;
  scim: Selectable<ScimGroupsTable>;
  members: Array<{ id: string; display: string | null }>;
}

function claimName(scope: ScimScope, displayName: string, externalId: string | null): string {
  return scope.config.group_name_attribute === 'externalId' && externalId ? externalId : displayName;
}

export async function getScimGroup(scope: ScimScope, id: string, withMembers = true): Promise<ScimGroup> {
  const [group, scim] = await Promise.all([
    scope.db.selectFrom('groups').selectAll().where('id', '=', id).where('provider_id', '=', scope.provider.id).executeTakeFirst(),
    scope.db.selectFrom('scim_groups').selectAll().where('group_id', '=', id).executeTakeFirst(),
  ]);
  if (!group || !scim) throw new ScimError(404, null, `Group ${id} not found`);
  const members = withMembers
    ? await scope.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.name', 'users.email'])
        .where('memberships.group_id', '=', id)
        .orderBy('users.id')
        .execute()
    : [];
  return { group, scim, members: members.map((m) => ({ id: m.id, display: m.name ?? m.email })) };
}

/** Checks that every id is a user of this provider (a SCIM client only names users it created here). */
async function requireMembers(tx: Kysely<Database>, scope: ScimScope, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const batch = unique.slice(i, i + 500);
    const found = await tx.selectFrom('users').select('id').where('provider_id', '=', scope.provider.id).where('id', 'in', batch).execute();
    if (found.length !== batch.length) {
      const known = new Set(found.map((f) => f.id));
      throw new ScimError(400, 'invalidValue', `member ${batch.find((b) => !known.has(b))} is not a user of this provider`);
    }
  }
}

async function addMembers(tx: Kysely<Database>, group: { id: string; name: string }, ids: string[], now: string): Promise<UserEvent[]> {
  if (!ids.length) return [];
  const held = new Set((await tx.selectFrom('memberships').select('user_id').where('group_id', '=', group.id).execute()).map((m) => m.user_id));
  const fresh = [...new Set(ids)].filter((id) => !held.has(id));
  for (let i = 0; i < fresh.length; i += 500) {
    const batch = fresh.slice(i, i + 500);
    await tx.insertInto('memberships').values(batch.map((userId) => ({ user_id: userId, group_id: group.id, source: 'scim', created_at: now }))).execute();
    await tx.deleteFrom('membership_removals').where('user_id', 'in', batch).where('kind', '=', 'group').where('name', '=', group.name).execute();
  }
  return fresh.map((userId) => ({ userId, source: 'scim' as const, action: 'membership_added', detail: { kind: 'group', name: group.name } }));
}

async function removeMembers(tx: Kysely<Database>, group: { id: string; name: string }, ids: string[], now: string): Promise<UserEvent[]> {
  const held = (await tx.selectFrom('memberships').select('user_id').where('group_id', '=', group.id).execute()).map((m) => m.user_id);
  const gone = held.filter((id) => ids.includes(id));
  for (const userId of gone) {
    await tx.deleteFrom('memberships').where('user_id', '=', userId).where('group_id', '=', group.id).execute();
    await tx
      .insertInto('membership_removals')
      .values({ user_id: userId, kind: 'group', name: group.name, removed_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'kind', 'name']).doUpdateSet({ removed_at: now }))
      .execute();
  }
  return gone.map((userId) => ({ userId, source: 'scim' as const, action: 'membership_removed', detail: { kind: 'group', name: group.name } }));
}

function uniqueness(err: unknown): never {
  if (isUniqueViolation(err)) throw new ScimError(409, 'uniqueness', 'a group with this displayName (or name) already exists');
  throw err;
}

/** Runs a group change in one transaction that bumps the app; notifies this process after commit. */
async function change<T>(scope: ScimScope, work: (tx: Kysely<Database>, now: string) => Promise<T>): Promise<T> {
  const now = new Date().toISOString();
  const out = await scope.db
    .transaction()
    .execute(async (tx) => {
      const result = await work(tx, now);
      await scope.invalidation.bump(tx, scope.provider.app_id);
      return result;
    })
    .catch(uniqueness);
  scope.invalidation.notifyLocal(scope.provider.app_id);
  return out;
}

export async function createScimGroup(scope: ScimScope, body: unknown): Promise<ScimGroup> {
  const fields = groupFromScim(body);
  const name = claimName(scope, fields.displayName, fields.externalId);
  const id = await change(scope, async (tx, now) => {
    let group = await tx.selectFrom('groups').selectAll().where('provider_id', '=', scope.provider.id).where('kind', '=', 'group').where('name', '=', name).executeTakeFirst();
    if (group && (await tx.selectFrom('scim_groups').select('group_id').where('group_id', '=', group.id).executeTakeFirst())) {
      throw new ScimError(409, 'uniqueness', `a SCIM group named ${JSON.stringify(name)} already exists`);
    }
    if (!group) {
      group = { id: newRowId('grp'), provider_id: scope.provider.id, kind: 'group', name, source: 'scim', created_at: now };
      await tx.insertInto('groups').values(group).execute();
    }
    await tx.insertInto('scim_groups').values({ group_id: group.id, provider_id: scope.provider.id, display_name: fields.displayName, external_id: fields.externalId, created_at: now, updated_at: now }).execute();
    await requireMembers(tx, scope, fields.members);
    await recordUserEvents(tx, await addMembers(tx, group, fields.members, now));
    await recordAudit(tx, { actor: scope.actor, action: 'scim.group.create', appId: scope.provider.app_id, target: group.id, details: { name, members: fields.members.length } });
    return group.id;
  });
  return getScimGroup(scope, id);
}

interface GroupChanges {
  displayName?: string;
  externalId?: string | null;
  add: string[];
  remove: string[];
  replaceMembers: string[] | null;
}

async function applyGroupChanges(scope: ScimScope, id: string, changes: GroupChanges): Promise<ScimGroup> {
  const current = await getScimGroup(scope, id, false);
  await change(scope, async (tx, now) => {
    const displayName = changes.displayName ?? current.scim.display_name;
    const externalId = changes.externalId !== undefined ? changes.externalId : current.scim.external_id;
    const name = claimName(scope, displayName, externalId);
    const events: UserEvent[] = [];
    if (name !== current.group.name) {
      // A rename changes what resolve answers at once; memberships follow the group row.
      await tx.updateTable('groups').set({ name }).where('id', '=', id).execute();
    }
    await tx.updateTable('scim_groups').set({ display_name: displayName, external_id: externalId, updated_at: now }).where('group_id', '=', id).execute();
    const group = { id, name };
    if (changes.replaceMembers !== null) {
      await requireMembers(tx, scope, changes.replaceMembers);
      const held = (await tx.selectFrom('memberships').select('user_id').where('group_id', '=', id).execute()).map((m) => m.user_id);
      events.push(...(await removeMembers(tx, group, held.filter((h) => !changes.replaceMembers!.includes(h)), now)));
      events.push(...(await addMembers(tx, group, changes.replaceMembers, now)));
    }
    await requireMembers(tx, scope, changes.add);
    events.push(...(await addMembers(tx, group, changes.add, now)));
    events.push(...(await removeMembers(tx, group, changes.remove, now)));
    await recordUserEvents(tx, events);
    await recordAudit(tx, { actor: scope.actor, action: 'scim.group.update', appId: scope.provider.app_id, target: id, details: { name, renamed: name !== current.group.name, members_added: events.filter((e) => e.action === 'membership_added').length, members_removed: events.filter((e) => e.action === 'membership_removed').length } });
  });
  return getScimGroup(scope, id);
}

export function patchScimGroup(scope: ScimScope, id: string, body: unknown): Promise<ScimGroup> {
  return applyGroupChanges(scope, id, groupPatchChanges(parsePatch(body)));
}

export function replaceScimGroup(scope: ScimScope, id: string, body: unknown): Promise<ScimGroup> {
  const fields = groupFromScim(body);
  return applyGroupChanges(scope, id, { displayName: fields.displayName, externalId: fields.externalId, add: [], remove: [], replaceMembers: fields.members });
}

/** DELETE: the group and its memberships go (tombstoned, so older tokens cannot bring them back). */
export async function deleteScimGroup(scope: ScimScope, id: string): Promise<void> {
  const current = await getScimGroup(scope, id);
  await change(scope, async (tx, now) => {
    const events = await removeMembers(tx, current.group, current.members.map((m) => m.id), now);
    await tx.deleteFrom('groups').where('id', '=', id).execute();
    await recordUserEvents(tx, events);
    await recordAudit(tx, { actor: scope.actor, action: 'scim.group.delete', appId: scope.provider.app_id, target: id, details: { name: current.group.name, members_removed: events.length } });
  });
}

export async function listScimGroups(scope: ScimScope, filter: Filter | null, startIndex: number, count: number, withMembers: boolean): Promise<{ total: number; groups: ScimGroup[] }> {
  const base = scope.db
    .selectFrom('groups as g')
    .innerJoin('scim_groups as sg', 'sg.group_id', 'g.id')
    .where('sg.provider_id', '=', scope.provider.id)
    .$if(filter !== null, (q) => q.where(groupFilterSql(filter!)));
  const [{ n }, rows] = await Promise.all([
    base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    count === 0 ? Promise.resolve([]) : base.select('g.id').orderBy('sg.created_at').orderBy('g.id').offset(startIndex - 1).limit(count).execute(),
  ]);
  const groups = await Promise.all(rows.map((r) => getScimGroup(scope, r.id, withMembers)));
  return { total: Number(n), groups };
}
