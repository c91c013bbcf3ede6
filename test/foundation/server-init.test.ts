// `alter server init`: the store, the master key, and one admin token printed once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { cli } from '../helpers/cli.js';
import { cleanupAll, testEnv, usingPostgres } from '../helpers/env.js';

after(cleanupAll);

/** Every byte the store holds, as text: the SQLite files, or a dump of every PostgreSQL table. */
async function storeText(env: Record<string, string | undefined>): Promise<string> {
  if (usingPostgres) {
    const c = new pg.Client({ connectionString: env.DATABASE_URL });
    await c.connect();
    try {
      const tables = await c.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public'");
      let out = '';
      for (const { tablename } of tables.rows) out += JSON.stringify((await c.query(`select * from "${tablename}"`)).rows);
      return out;
    } finally {
      await c.end();
    }
  }
  const dir = env.ALTER_DATA_DIR!;
  return readdirSync(dir).filter((f) => f.startsWith('alter.db')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
}

test('init prints an admin token once with every scope; a second init is exit 5 and prints none', async () => {
  const env = await testEnv();
  const first = await cli(['server', 'init', '--output', 'json'], { env });
  assert.equal(first.code, 0, first.stderr);
  const { token, scopes } = first.json<{ token: string; scopes: string[] }>();
  assert.match(token, /^alter_pat_[A-Za-z0-9_-]{43}$/);
  assert.ok(scopes.includes('dashboard_identity_providers:webhooks') && scopes.includes('dashboard_tokens:admin'));

  const second = await cli(['server', 'init', '--output', 'json'], { env });
  assert.equal(second.code, 5);
  assert.equal(second.stdout, '');
  assert.ok(!second.stderr.includes('alter_pat_'));
  assert.match(second.stderr, /already initialised/);
});

test('the master key is 32 random bytes in a mode-0600 file', async () => {
  const env = await testEnv();
  const r = await cli(['server', 'init'], { env });
  assert.equal(r.code, 0, r.stderr);
  const file = join(env.ALTER_DATA_DIR, 'master.key');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
});

test('ALTER_MASTER_KEY replaces the key file; a malformed one is refused', async () => {
  const env = await testEnv({ ALTER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') });
  const r = await cli(['server', 'init'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.throws(() => statSync(join(env.ALTER_DATA_DIR, 'master.key')));
  const bad = await cli(['server', 'init'], { env: { ...(await testEnv()), ALTER_MASTER_KEY: 'c2hvcnQ=' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /32 bytes/);
});

test('the store holds no plaintext token, only its hash', async () => {
  const env = await testEnv();
  const r = await cli(['server', 'init', '--output', 'json'], { env });
  const { token } = r.json<{ token: string }>();
  const text = await storeText(env);
  assert.ok(text.length > 0);
  assert.ok(!text.includes(token), 'plaintext token found in the store');
  assert.ok(!text.includes(token.slice('alter_pat_'.length)), 'token body found in the store');
});
