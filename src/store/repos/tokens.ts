// Personal access tokens (management API) and runtime keys (an app backend's resolve calls).
import type { Kysely, Selectable } from 'kysely';
import type { Database, RuntimeKeysTable, TokensTable } from '../schema.js';
import { KEY_PREFIX, PAT_PREFIX, newId, newSecret, sha256Hex } from '../../crypto/tokens.js';
import { nowIso } from '../database.js';

export type TokenRow = Selectable<TokensTable>;
export type RuntimeKeyRow = Selectable<RuntimeKeysTable>;

export interface NewToken {
  name: string | null;
  scopes: readonly string[];
  appId: string | null;
  createdBy: string | null;
  expiresAt: string | null;
}

export async function insertToken(db: Kysely<Database>, t: NewToken): Promise<{ row: TokenRow; token: string }> {
  const token = newSecret(PAT_PREFIX);
  const row: TokenRow = {
    id: newId('tok'),
    name: t.name,
    token_hash: sha256Hex(token),
    scopes: JSON.stringify(t.scopes),
    app_id: t.appId,
    created_by: t.createdBy,
    created_at: nowIso(),
    expires_at: t.expiresAt,
    revoked_at: null,
    last_used_at: null,
  };
  await db.insertInto('tokens').values(row).execute();
  return { row, token };
}

export async function findTokenByHash(db: Kysely<Database>, hash: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
}

export async function listTokens(db: Kysely<Database>, appId: string | null): Promise<TokenRow[]> {
  let q = db.selectFrom('tokens').selectAll().orderBy('created_at').orderBy('id');
  if (appId) q = q.where('app_id', '=', appId);
  return q.execute();
}

export async function findToken(db: Kysely<Database>, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function revokeToken(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('tokens').set({ revoked_at: nowIso() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function insertRuntimeKey(
  db: Kysely<Database>,
  k: { appId: string; name: string; createdBy: string | null },
): Promise<{ row: RuntimeKeyRow; key: string }> {
  const key = newSecret(KEY_PREFIX);
  const row: RuntimeKeyRow = {
    id: newId('key'),
    app_id: k.appId,
    name: k.name,
    key_hash: sha256Hex(key),
    created_by: k.createdBy,
    created_at: nowIso(),
    revoked_at: null,
    last_used_at: null,
  };
  await db.insertInto('runtime_keys').values(row).execute();
  return { row, key };
}

export async function findRuntimeKeyByHash(db: Kysely<Database>, hash: string): Promise<RuntimeKeyRow | undefined> {
  return db.selectFrom('runtime_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
}

export async function listRuntimeKeys(db: Kysely<Database>, appId: string): Promise<RuntimeKeyRow[]> {
  return db.selectFrom('runtime_keys').selectAll().where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
}

export async function revokeRuntimeKey(db: Kysely<Database>, appId: string, id: string): Promise<boolean> {
  const res = await db
    .updateTable('runtime_keys')
    .set({ revoked_at: nowIso() })
    .where('id', '=', id)
    .where('app_id', '=', appId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
