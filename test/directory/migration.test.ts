// A store created before the directory (migrations 001-002) upgraded in place: users keep their
// status and memberships and get the sources they can only have come from; the admin token of
// `server init` gains the directory scopes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, type Migration } from 'kysely';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { migrate, openStore } from '../../src/store/database.js';
import { insertToken } from '../../src/store/repos/tokens.js';
import * as m001 from '../../src/store/migrations/001-initial.js';
import * as m002 from '../../src/store/migrations/002-group-aliases.js';

after(cleanupAll);

test('migration 003 backfills sources and scopes on both databases', async () => {
  const env = await testEnv();
  const store = await openStore({ dataDir: env.ALTER_DATA_DIR, databaseUrl: env.DATABASE_URL });
  try {
    const before: Record<string, Migration> = { '001-initial': m001, '002-group-aliases': m002 };
    const { error } = await new Migrator({ db: store.db, provider: { getMigrations: () => Promise.resolve(before) } }).migrateToLatest();
    assert.equal(error, undefined);
    const db = store.db as any;
    const now = new Date().toISOString();
    const oldScopes = ['dashboard_apps:read', 'dashboard_apps:write', 'dashboard_tokens:admin', 'dashboard_keys:read', 'dashboard_keys:write', 'dashboard_identity_providers:create', 'dashboard_identity_providers:read', 'dashboard_identity_providers:delete', 'dashboard_identity_providers:webhooks', 'dashboard_audit:read'];
    const { row: adminToken } = await insertToken(store.db, { name: 'admin (server init)', scopes: oldScopes, appId: null, createdBy: null, expiresAt: null });
    const { row: narrow } = await insertToken(store.db, { name: 'reader', scopes: ['dashboard_apps:read'], appId: null, createdBy: null, expiresAt: null });
    await db.insertInto('apps').values({ id: 'app_1', name: 'old', created_at: now }).execute();
    await db.insertInto('identity_providers').values({ id: 'idp_1', app_id: 'app_1', provider_type: 'custom_oidc', detected_as: null, issuer: 'https://i', jwks_uri: 'https://i/j', discovery: '{}', audience: null, user_id_claim: 'sub', group_claim: 'groups', role_claim: null, claim_mappings_locked: 1, clock_leeway_seconds: 60, wallet_client_id: null, wallet_client_secret: null, wallet_verification: null, webhook_scheme: 'authorization_header', created_at: now, updated_at: now }).execute();
    const user = (id: string, seen: number, status: string) => ({ id, app_id: 'app_1', provider_id: 'idp_1', external_id: id, email: null, name: null, status, status_changed_at: seen ? null : now, seen, created_at: now, updated_at: now });
    await db.insertInto('users').values([user('usr_seen', 1, 'active'), user('usr_hook', 0, 'deprovisioned')]).execute();
    await db.insertInto('groups').values({ id: 'grp_1', provider_id: 'idp_1', kind: 'group', name: 'eng', created_at: now }).execute();
    await db.insertInto('memberships').values({ user_id: 'usr_seen', group_id: 'grp_1', created_at: now }).execute();

    await migrate(store);

    const users = await store.db.selectFrom('users').select(['id', 'status', 'sources', 'status_source', 'last_seen_at']).orderBy('id').execute();
    assert.deepEqual(users, [
      { id: 'usr_hook', status: 'deprovisioned', sources: '["webhook"]', status_source: 'webhook', last_seen_at: null },
      { id: 'usr_seen', status: 'active', sources: '["token"]', status_source: null, last_seen_at: now },
    ]);
    assert.deepEqual(await store.db.selectFrom('memberships').select(['user_id', 'source']).execute(), [{ user_id: 'usr_seen', source: 'token' }]);
    const scopes = async (id: string) => JSON.parse((await store.db.selectFrom('tokens').select('scopes').where('id', '=', id).executeTakeFirstOrThrow()).scopes) as string[];
    assert.ok((await scopes(adminToken.id)).includes('dashboard_directory:write'), 'the all-scopes token gains the new ones');
    assert.deepEqual(await scopes(narrow.id), ['dashboard_apps:read'], 'a narrow token stays narrow');
  } finally {
    await store.close();
  }
});
