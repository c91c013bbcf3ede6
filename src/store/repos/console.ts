// The web console's sessions and one-time sign-in links. Both are found by the SHA-256 of what the
// browser holds; neither value is stored.
import type { Kysely, Selectable } from 'kysely';
import type { ConsoleLinksTable, ConsoleSessionsTable, Database } from '../schema.js';

export type ConsoleSessionRow = Selectable<ConsoleSessionsTable>;
export type ConsoleLinkRow = Selectable<ConsoleLinksTable>;

export async function insertConsoleSession(db: Kysely<Database>, row: ConsoleSessionRow): Promise<void> {
  await db.insertInto('console_sessions').values(row).execute();
}

export async function findConsoleSession(db: Kysely<Database>, idHash: string): Promise<ConsoleSessionRow | undefined> {
  return db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function touchConsoleSession(db: Kysely<Database>, idHash: string, now: string): Promise<void> {
  await db.updateTable('console_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function setConsoleFlash(db: Kysely<Database>, idHash: string, sealed: string | null): Promise<void> {
  await db.updateTable('console_sessions').set({ flash: sealed }).where('id_hash', '=', idHash).execute();
}

/**
 * Takes the flash: reads and clears it in one statement where the database can, so that two
 * requests racing for a secret shown once cannot both get it.
 */
export async function takeConsoleFlash(db: Kysely<Database>, idHash: string): Promise<string | null> {
  return db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('console_sessions').select('flash').where('id_hash', '=', idHash).where('flash', 'is not', null).executeTakeFirst();
    if (!row?.flash) return null;
    const res = await tx.updateTable('console_sessions').set({ flash: null }).where('id_hash', '=', idHash).where('flash', '=', row.flash).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? row.flash : null;
  });
}

export async function deleteConsoleSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
}

/** Forgets sessions past their absolute end or idle since `idleBefore`. */
export async function pruneConsoleSessions(db: Kysely<Database>, now: string, idleBefore: string): Promise<void> {
  await db
    .deleteFrom('console_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
    .execute();
  await db.deleteFrom('console_links').where('expires_at', '<=', now).execute();
}

export async function insertConsoleLink(db: Kysely<Database>, row: ConsoleLinkRow): Promise<void> {
  await db.insertInto('console_links').values(row).execute();
}

/** Marks the link used and returns it, once: a second use (or a concurrent twin) gets undefined. */
export async function consumeConsoleLink(db: Kysely<Database>, tokenHash: string, now: string): Promise<ConsoleLinkRow | undefined> {
  return db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('console_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    return tx.selectFrom('console_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  });
}
