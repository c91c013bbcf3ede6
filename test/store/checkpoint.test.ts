// The WAL is checkpointed beside the writer thread, not in its commits (src/store/checkpoint-thread.ts):
// the database file itself holds what was committed, soon after, while the writer's commits never
// copy pages themselves.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { cleanupAll, tempDir, usingPostgres } from '../helpers/env.js';
import { startTestServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { createResolveApp } from '../resolve/setup.js';

after(cleanupAll);

/** Users in the database file alone, read from a copy of it without its WAL. */
function usersInFileAlone(file: string): number | null {
  const copy = join(tempDir('alter-checkpoint-'), 'copy.db');
  copyFileSync(file, copy);
  try {
    const db = new BetterSqlite3(copy);
    try {
      return (db.prepare('select count(*) as n from users').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return null; // copied while a checkpoint was writing it: look again
  }
}

test('batched writes reach the database file itself within a second, checkpointed off the writer', { skip: usingPostgres && 'SQLite only' }, async () => {
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const tokens = await Promise.all(Array.from({ length: 300 }, (_, i) => issuer.mint({ sub: `ckpt-${i}`, groups: [`g${i % 3}`] })));
  const answers = await Promise.all(tokens.map((token) => app.resolve({ token })));
  answers.forEach((a) => assert.equal(a.status, 200, JSON.stringify(a.body)));
  // 300 users are far below the thousand pages at which a commit would checkpoint by itself.
  const file = s.server.store.location;
  let found: number | null = null;
  for (const deadline = Date.now() + 3000; Date.now() < deadline && found !== 300; await sleep(100)) found = usersInFileAlone(file);
  assert.equal(found, 300, 'every committed user is in the database file, not only in its WAL');
});
