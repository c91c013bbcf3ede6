// Isolated environments for tests: a fresh data dir and config dir per test, and on PostgreSQL
// (when DATABASE_URL is set, as in CI's second pass) a fresh database per test server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const cleanups: Array<() => Promise<void> | void> = [];

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup (call from an `after` hook). */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!();
}

export function tempDir(prefix = 'alter-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const usingPostgres = !!process.env.DATABASE_URL && /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL);

/**
 * The PostgreSQL server tests use: DATABASE_URL's on the PostgreSQL pass; the machine's own
 * (which CI starts) for tests that need PostgreSQL on either pass, such as its fault tests.
 */
export const PG_BASE_URL = usingPostgres ? process.env.DATABASE_URL! : 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new, empty PostgreSQL database on the PG_BASE_URL server; dropped at cleanup. */
export async function freshDatabaseUrl(): Promise<string> {
  const base = new URL(PG_BASE_URL);
  const name = `alter_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  onCleanup(async () => {
    const c = new pg.Client({ connectionString: base.toString() });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestEnv extends Record<string, string | undefined> {
  ALTER_DATA_DIR: string;
  ALTER_CONFIG_DIR: string;
}

/**
 * Environment for one test server and its CLI: own data and config dirs, its own database on
 * PostgreSQL runs, and no inherited ALTER_* variables.
 */
export async function testEnv(extra: Record<string, string> = {}): Promise<TestEnv> {
  const env: TestEnv = {
    PATH: process.env.PATH,
    HOME: tempDir('alter-home-'),
    ALTER_DATA_DIR: tempDir('alter-data-'),
    ALTER_CONFIG_DIR: tempDir('alter-config-'),
    ALTER_LOG_LEVEL: process.env.ALTER_LOG_LEVEL ?? 'warn',
  };
  if (usingPostgres) env.DATABASE_URL = await freshDatabaseUrl();
  return { ...env, ...extra };
}
