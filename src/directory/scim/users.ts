// SCIM Users as the directory's users. A SCIM user is a directory user (one row, whichever source
// saw them first) whose match attribute (externalId by default) equals what tokens carry in the
// user-id claim; SCIM keeps its own view (userName, the attributes it sent) beside it. Status follows
// the directory's rules with `scim` as the source: `active: false` and DELETE deprovision, and
// `active: true` restores only a deprovisioning SCIM itself made (never an operator's). Every write
// is one transaction that bumps the app, so resolve answers change on every process within a second.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ScimUsersTable } from '../../store/schema.js';
import { newRowId } from '../../store/ordered-id.js';
import { isUniqueViolation } from '../../store/database.js';
import { recordAudit } from '../../store/repos/audit.js';
import { recordUserEvents, type UserEvent } from '../../store/repos/user-events.js';
import type { UserRow } from '../../store/repos/users.js';
import { addSource, judgeStatusChange, statusAction, type UserStatus } from '../rules.js';
import { ScimError } from './errors.js';
import type { Filter } from './filter.js';
import { userFilterSql } from './filter-sql.js';
import { applyUserPatch, parsePatch } from './patch.js';
import { displayNameOf, primaryEmail, userFromScim, type ScimUserFields } from './resources.js';
import type { ScimScope } from './scope.js';

export interface ScimUser {
  user: UserRow;
  scim: Selectable<ScimUsersTable>;
  fields: ScimUserFields;
}

function matchValue(scope: ScimScope, fields: ScimUserFields): string {
  const value = scope.config.match_attribute === 'userName' ? fields.userName : fields.externalId;
  if (!value) throw new ScimError(400, 'invalidValue', `${scope.config.match_attribute} is required: it carries the value this provider's tokens carry in the user-id claim, so that the SCIM user and the token's user are one`);
  return value;
}

async function loadScimUser(db: Kysely<Database>, providerId: string, userId: string): Promise<ScimUser | undefined> {
  const [user, scim] = await Promise.all([
    db.selectFrom('users').selectAll().where('id', '=', userId).where('provider_id', '=', providerId).executeTakeFirst(),
    db.selectFrom('scim_users').selectAll().where('user_id', '=', userId).where('provider_id', '=', providerId).executeTakeFirst(),
  ]);
  return user && scim ? scimUser(user, scim) : undefined;
}

function scimUser(user: UserRow, scim: Selectable<ScimUsersTable>): ScimUser {
  return { user, scim, fields: JSON.parse(scim.resource) as ScimUserFields };
}

export async function getScimUser(scope: ScimScope, id: string): Promise<ScimUser> {
  const found = await loadScimUser(scope.db, scope.provider.id, id);
  if (!found) throw new ScimError(404, null, `User ${id} not found`);
  return found;
}

/** The status change `active` asks for, by the directory's rules; null when none applies. */
function statusFromActive(user: { status: string; status_changed_at: string | null; status_source: string | null }, active: boolean, at: string): UserStatus | null {
  if (!active) return judgeStatusChange(user, { to: 'deprovisioned', at, source: 'scim' }) === 'apply' ? 'deprovisioned' : null;
  return user.status === 'deprovisioned' && user.status_source === 'scim' ? 'active' : null;
}

function scimRow(scope: ScimScope, userId: string, fields: ScimUserFields, now: string, createdAt = now): Selectable<ScimUsersTable> {
  return { user_id: userId, provider_id: scope.provider.id, user_name: fields.userName, user_name_key: fields.userName.toLowerCase(), external_id: fields.externalId, resource: JSON.stringify(fields), created_at: createdAt, updated_at: now };
}

/** Writes profile and status of `user` from `fields`; the lifecycle events it caused. */
async function writeUser(tx: Kysely<Database>, user: UserRow, fields: ScimUserFields, now: string): Promise<{ events: UserEvent[]; statusChanged: boolean }> {
  const events: UserEvent[] = [];
  const email = primaryEmail(fields);
  const name = displayNameOf(fields);
  const changes: Partial<UserRow> = {};
  if (email !== null && email !== user.email) changes.email = email;
  if (name !== null && name !== user.name) changes.name = name;
  if (Object.keys(changes).length) events.push({ userId: user.id, source: 'scim', action: 'updated', detail: { ...changes } });
  const to = statusFromActive(user, fields.active, now);
  if (to) {
    Object.assign(changes, { status: to, status_changed_at: now, status_source: 'scim' });
    events.push({ userId: user.id, source: 'scim', action: statusAction(user.status, to), detail: null });
  }
  const sources = addSource(user.sources, 'scim');
  if (sources) changes.sources = sources;
  if (Object.keys(changes).length) await tx.updateTable('users').set({ ...changes, updated_at: now }).where('id', '=', user.id).execute();
  return { events, statusChanged: to !== null };
}

function uniqueness(err: unknown): never {
  if (isUniqueViolation(err)) throw new ScimError(409, 'uniqueness', 'a user with this userName (or match attribute) is already provisioned');
  throw err;
}

export async function createScimUser(scope: ScimScope, body: unknown): Promise<ScimUser> {
  const fields = userFromScim(body);
  const externalId = matchValue(scope, fields);
  const now = new Date().toISOString();
  const id = await scope.db
    .transaction()
    .execute(async (tx) => {
      let user = await tx.selectFrom('users').selectAll().where('provider_id', '=', scope.provider.id).where('external_id', '=', externalId).executeTakeFirst();
      const events: UserEvent[] = [];
      if (user) {
        const linked = await tx.selectFrom('scim_users').select('user_id').where('user_id', '=', user.id).executeTakeFirst();
        if (linked) throw new ScimError(409, 'uniqueness', `a SCIM user with ${scope.config.match_attribute} ${JSON.stringify(externalId)} already exists`);
      } else {
        user = { id: newRowId('usr'), app_id: scope.provider.app_id, provider_id: scope.provider.id, external_id: externalId, email: null, name: null, status: 'active', status_changed_at: null, status_source: null, seen: 0, sources: '[]', last_seen_at: null, created_at: now, updated_at: now };
        await tx.insertInto('users').values(user).execute();
        events.push({ userId: user.id, source: 'scim', action: 'created', detail: null });
      }
      const written = await writeUser(tx, user, fields, now);
      await tx.insertInto('scim_users').values(scimRow(scope, user.id, fields, now)).execute();
      await recordUserEvents(tx, [...events, ...written.events]);
      await recordAudit(tx, { actor: scope.actor, action: 'scim.user.create', appId: scope.provider.app_id, target: user.id, details: { external_id: externalId, linked: events.length === 0 } });
      await scope.invalidation.bump(tx, scope.provider.app_id);
      return user.id;
    })
    .catch(uniqueness);
  scope.invalidation.notifyLocal(scope.provider.app_id);
  return getScimUser(scope, id);
}

async function updateScimUser(scope: ScimScope, current: ScimUser, fields: ScimUserFields): Promise<ScimUser> {
  if (matchValue(scope, fields) !== current.user.external_id) {
    throw new ScimError(400, 'mutability', `${scope.config.match_attribute} identifies the user as tokens name them and cannot change (deprovision this user and create another)`);
  }
  const now = new Date().toISOString();
  await scope.db
    .transaction()
    .execute(async (tx) => {
      const user = await tx.selectFrom('users').selectAll().where('id', '=', current.user.id).executeTakeFirstOrThrow();
      const written = await writeUser(tx, user, fields, now);
      await tx.updateTable('scim_users').set(scimRow(scope, user.id, fields, now, current.scim.created_at)).where('user_id', '=', user.id).execute();
      await recordUserEvents(tx, written.events);
      if (written.statusChanged) {
        await recordAudit(tx, { actor: scope.actor, action: `scim.user.${fields.active ? 'restore' : 'deactivate'}`, appId: scope.provider.app_id, target: user.id, details: { external_id: user.external_id } });
        await scope.invalidation.bump(tx, scope.provider.app_id);
      }
    })
    .catch(uniqueness);
  scope.invalidation.notifyLocal(scope.provider.app_id);
  return getScimUser(scope, current.user.id);
}

export async function replaceScimUser(scope: ScimScope, id: string, body: unknown): Promise<ScimUser> {
  const current = await getScimUser(scope, id);
  return updateScimUser(scope, current, userFromScim(body));
}

export async function patchScimUser(scope: ScimScope, id: string, body: unknown): Promise<ScimUser> {
  const current = await getScimUser(scope, id);
  return updateScimUser(scope, current, applyUserPatch(current.fields, parsePatch(body)));
}

/** DELETE: deprovisions the user (their tokens are refused) and ends SCIM's view of them (404 after). */
export async function deleteScimUser(scope: ScimScope, id: string): Promise<void> {
  const current = await getScimUser(scope, id);
  const now = new Date().toISOString();
  await scope.db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom('users').selectAll().where('id', '=', current.user.id).executeTakeFirstOrThrow();
    const events: UserEvent[] = [];
    if (judgeStatusChange(user, { to: 'deprovisioned', at: now, source: 'scim' }) === 'apply') {
      await tx.updateTable('users').set({ status: 'deprovisioned', status_changed_at: now, status_source: 'scim', updated_at: now }).where('id', '=', user.id).execute();
      events.push({ userId: user.id, source: 'scim', action: 'deprovisioned', detail: { reason: 'deleted' } });
    }
    await tx.deleteFrom('scim_users').where('user_id', '=', user.id).execute();
    await recordUserEvents(tx, events);
    await recordAudit(tx, { actor: scope.actor, action: 'scim.user.delete', appId: scope.provider.app_id, target: user.id, details: { external_id: user.external_id } });
    await scope.invalidation.bump(tx, scope.provider.app_id);
  });
  scope.invalidation.notifyLocal(scope.provider.app_id);
}

/** A page of SCIM users matching `filter`, in a stable order (creation, then id). */
export async function listScimUsers(scope: ScimScope, filter: Filter | null, startIndex: number, count: number): Promise<{ total: number; users: ScimUser[] }> {
  const base = scope.db
    .selectFrom('users as u')
    .innerJoin('scim_users as s', 's.user_id', 'u.id')
    .where('s.provider_id', '=', scope.provider.id)
    .$if(filter !== null, (q) => q.where(userFilterSql(filter!)));
  const [{ n }, rows] = await Promise.all([
    base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    count === 0 ? Promise.resolve([]) : base.select('u.id').orderBy('s.created_at').orderBy('u.id').offset(startIndex - 1).limit(count).execute(),
  ]);
  // The page's users and their SCIM rows in two queries, not two per user.
  const ids = rows.map((r) => r.id);
  const [userRows, scimRows] = ids.length
    ? await Promise.all([
        scope.db.selectFrom('users').selectAll().where('id', 'in', ids).execute(),
        scope.db.selectFrom('scim_users').selectAll().where('user_id', 'in', ids).execute(),
      ])
    : [[], []];
  const usersById = new Map(userRows.map((u) => [u.id, u]));
  const scimById = new Map(scimRows.map((r) => [r.user_id, r]));
  const users = ids.flatMap((id) => {
    const user = usersById.get(id);
    const scim = scimById.get(id);
    // Deleted between the two reads: left out of the page rather than failing it.
    return user && scim ? [scimUser(user, scim)] : [];
  });
  return { total: Number(n), users };
}
