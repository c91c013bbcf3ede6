// SCIM configuration and figures, and the SCIM view of users and groups.
import type { Kysely, Selectable } from 'kysely';
import type { Database, ScimConfigsTable } from '../schema.js';

export type ScimConfigRow = Selectable<ScimConfigsTable>;

export function findScimConfig(db: Kysely<Database>, providerId: string): Promise<ScimConfigRow | undefined> {
  return db.selectFrom('scim_configs').selectAll().where('provider_id', '=', providerId).executeTakeFirst();
}

export function findScimConfigByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<ScimConfigRow | undefined> {
  return db.selectFrom('scim_configs').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function scimCounts(db: Kysely<Database>, providerId: string): Promise<{ users: number; groups: number }> {
  const [users, groups] = await Promise.all([
    db.selectFrom('scim_users').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', providerId).executeTakeFirstOrThrow(),
    db.selectFrom('scim_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', providerId).executeTakeFirstOrThrow(),
  ]);
  return { users: Number(users.n), groups: Number(groups.n) };
}

/** Counts one SCIM request (and its error, if any) in the provider's figures. */
export async function countScimRequest(db: Kysely<Database>, providerId: string, error: string | null): Promise<void> {
  await db
    .updateTable('scim_configs')
    .set((eb) => ({
      requests: eb('requests', '+', 1),
      last_request_at: new Date().toISOString(),
      ...(error ? { errors: eb('errors', '+', 1), last_error: error } : {}),
    }))
    .where('provider_id', '=', providerId)
    .execute();
}
