// Console sessions: opened by a personal access token (pasted into the sign-in form, or through a
// one-time link from `alter console`), held by the browser as a random cookie whose SHA-256 is the
// row's key, ended by sign-out, by 1 h without a request or 8 h after sign-in, and by the token's
// own revocation or expiry (every page acts as the token, and the API refuses a dead one).
// Each session carries a CSRF token for its forms and a sealed "flash": the notice, error or secret
// the next page shows once.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Sealer } from '../crypto/sealed.js';
import { newSecret, safeEqual, sha256Hex } from '../crypto/tokens.js';
import { nowIso } from '../store/database.js';
import {
  consumeConsoleLink,
  deleteConsoleSession,
  findConsoleSession,
  insertConsoleLink,
  insertConsoleSession,
  pruneConsoleSessions,
  setConsoleFlash,
  takeConsoleFlash,
  touchConsoleSession,
} from '../store/repos/console.js';

export const IDLE_TIMEOUT_MS = 3600_000;
export const ABSOLUTE_TIMEOUT_MS = 8 * 3600_000;
export const LINK_TTL_MS = 5 * 60_000;
// last_seen_at is written at most this often: idleness is judged to the minute, reads stay reads.
const TOUCH_RESOLUTION_MS = 60_000;
const PRUNE_EVERY_MS = 3600_000;
const LINK_PREFIX = 'alter_signin_';

/** A secret shown once (webhook secret, runtime key, SCIM token): never in a URL, never twice. */
export interface ShownOnce {
  /** What it is, e.g. "Webhook signing secret". */
  label: string;
  value: string;
  /** Where it goes next (e.g. the webhook URL to paste at the provider). */
  note?: string;
  /** Further facts to show beside it (label → value). */
  facts?: Array<[string, string]>;
}

export interface Flash {
  notice?: string;
  error?: string;
  secret?: ShownOnce;
  /** Only the page at this path shows the flash; another page leaves it for later. */
  path?: string;
}

export interface ConsoleSession {
  idHash: string;
  tokenId: string;
  csrfToken: string;
  expiresAt: string;
}

const flashAad = (idHash: string): string => `console:${idHash}`;

export class ConsoleSessions {
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: Sealer,
  ) {}

  /** Opens a session for token `tokenId`; returns the cookie value (shown to nothing but the browser). */
  async open(tokenId: string): Promise<string> {
    const cookie = randomBytes(32).toString('base64url');
    const now = Date.now();
    await insertConsoleSession(this.db, {
      id_hash: sha256Hex(cookie),
      token_id: tokenId,
      csrf_token: randomBytes(24).toString('base64url'),
      created_at: new Date(now).toISOString(),
      last_seen_at: new Date(now).toISOString(),
      expires_at: new Date(now + ABSOLUTE_TIMEOUT_MS).toISOString(),
      flash: null,
    });
    await this.pruneOccasionally(now);
    return cookie;
  }

  /** The live session a cookie names, touched; undefined (and the row gone) when it has ended. */
  async find(cookie: string | undefined): Promise<ConsoleSession | undefined> {
    if (!cookie) return undefined;
    const idHash = sha256Hex(cookie);
    const row = await findConsoleSession(this.db, idHash);
    if (!row) return undefined;
    const now = Date.now();
    if (Date.parse(row.expires_at) <= now || now - Date.parse(row.last_seen_at) >= IDLE_TIMEOUT_MS) {
      await deleteConsoleSession(this.db, idHash);
      return undefined;
    }
    if (now - Date.parse(row.last_seen_at) > TOUCH_RESOLUTION_MS) await touchConsoleSession(this.db, idHash, new Date(now).toISOString());
    return { idHash, tokenId: row.token_id, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  csrfMatches(session: ConsoleSession, submitted: unknown): boolean {
    return typeof submitted === 'string' && safeEqual(session.csrfToken, submitted);
  }

  async end(session: ConsoleSession): Promise<void> {
    await deleteConsoleSession(this.db, session.idHash);
  }

  async setFlash(session: ConsoleSession, flash: Flash): Promise<void> {
    await setConsoleFlash(this.db, session.idHash, this.sealer.seal(JSON.stringify(flash), flashAad(session.idHash)));
  }

  /** The flash for the page at `path`, taken (so a reload shows nothing); a flash for another page stays. */
  async takeFlash(session: ConsoleSession, path: string): Promise<Flash | null> {
    const sealed = await takeConsoleFlash(this.db, session.idHash);
    if (!sealed) return null;
    const flash = JSON.parse(this.sealer.open(sealed, flashAad(session.idHash))) as Flash;
    if (flash.path && flash.path !== path) {
      await setConsoleFlash(this.db, session.idHash, sealed);
      return null;
    }
    return flash;
  }

  /** A one-time sign-in code for token `tokenId` (5 minutes); only its hash is kept. */
  async createLink(tokenId: string, appId: string | null): Promise<{ code: string; expiresAt: string }> {
    const code = newSecret(LINK_PREFIX);
    const now = Date.now();
    const expiresAt = new Date(now + LINK_TTL_MS).toISOString();
    await insertConsoleLink(this.db, { token_hash: sha256Hex(code), token_id: tokenId, app_id: appId, created_at: new Date(now).toISOString(), expires_at: expiresAt, used_at: null });
    return { code, expiresAt };
  }

  /** Uses a sign-in code: the token and app it was made for, or undefined when unknown, used or expired. */
  async useLink(code: string): Promise<{ tokenId: string; appId: string | null } | undefined> {
    if (!code.startsWith(LINK_PREFIX)) return undefined;
    const row = await consumeConsoleLink(this.db, sha256Hex(code), nowIso());
    return row && { tokenId: row.token_id, appId: row.app_id };
  }

  private async pruneOccasionally(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await pruneConsoleSessions(this.db, new Date(now).toISOString(), new Date(now - IDLE_TIMEOUT_MS).toISOString());
  }
}
