// An operator's block, unblock and deprovisioning of a user: one transaction that judges the change
// by the directory's rules, writes the status with `admin` as its source, logs it on the user and
// in the audit log, and bumps the app so that every server process refuses (or accepts) the user's
// tokens within a second, caches included.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Invalidation } from '../server/invalidation.js';
import { AlterError } from '../errors.js';
import { recordAudit } from '../store/repos/audit.js';
import { recordUserEvents } from '../store/repos/user-events.js';
import { findAppUser } from '../store/repos/directory.js';
import type { UserRow } from '../store/repos/users.js';
import { addSource, judgeStatusChange, statusAction, type UserStatus } from './rules.js';

export type OperatorAction = 'block' | 'unblock' | 'deprovision';

const STATUS_AFTER: Record<OperatorAction, UserStatus> = { block: 'blocked', unblock: 'active', deprovision: 'deprovisioned' };

export interface OperatorRequest {
  appId: string;
  userId: string;
  action: OperatorAction;
  /** Audit actor: the token that acts. */
  actor: string;
}

function refuse(user: UserRow, action: OperatorAction): never {
  if (user.status === 'deprovisioned' && user.status_source === 'admin') {
    throw new AlterError('conflict', `user ${user.id} was deprovisioned by an operator, which is final for this user id`, { status: user.status });
  }
  // An operator may restrict what the provider allows, never restore whom the provider removed.
  throw new AlterError('conflict', `user ${user.id} is deprovisioned by their identity provider (${user.status_source ?? 'unknown source'}); ${action} cannot change that: restore them at the provider`, { status: user.status });
}

/** Applies the action; the user as stored afterwards (unchanged when the action changes nothing). */
export async function applyOperatorAction(db: Kysely<Database>, invalidation: Invalidation, req: OperatorRequest): Promise<UserRow> {
  const to = STATUS_AFTER[req.action];
  const outcome = await db.transaction().execute(async (tx) => {
    // The transaction holds the write lock (SQLite) and the row is re-read inside it, so two
    // operators or a webhook racing this action are judged against what is really stored.
    const user = await findAppUser(tx, req.appId, req.userId);
    if (!user) throw new AlterError('not_found', `user ${req.userId} not found in app ${req.appId}`);
    const now = new Date().toISOString();
    const verdict = judgeStatusChange(user, { to, at: now, source: 'admin' });
    if (verdict === 'final') refuse(user, req.action);
    if (user.status === 'deprovisioned' && to !== 'deprovisioned') refuse(user, req.action);
    if (verdict !== 'apply') return { user, changed: false };
    const sources = addSource(user.sources, 'admin');
    const changes = { status: to, status_changed_at: now, status_source: 'admin', updated_at: now, ...(sources ? { sources } : {}) };
    await tx.updateTable('users').set(changes).where('id', '=', user.id).execute();
    await recordUserEvents(tx, [{ userId: user.id, source: 'admin', action: statusAction(user.status, to), detail: { by: req.actor } }]);
    await recordAudit(tx, { actor: req.actor, action: `user.${req.action}`, appId: req.appId, target: user.id, details: { external_id: user.external_id, status_before: user.status, status: to } });
    await invalidation.bump(tx, req.appId);
    return { user: { ...user, ...changes }, changed: true };
  });
  if (outcome.changed) invalidation.notifyLocal(req.appId);
  return outcome.user;
}
