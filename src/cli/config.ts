// Where the CLI finds its API, its credentials and its app.
//   API URL:     --api-url > ALTER_API_URL > http://127.0.0.1:8787
//   credentials: ALTER_PAT (used as is) > $ALTER_CONFIG_DIR/credentials.json (per API URL, mode 0600)
//   app:         --app > ALTER_APP_ID > nearest .alter/app.json up from the working directory
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AlterError } from '../errors.js';
import { defaultConfigDir } from '../paths.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8787';
export const LINK_DIR = '.alter';
export const LINK_FILE = 'app.json';

interface CredentialsFile {
  servers: Record<string, { token: string; token_id?: string; saved_at: string }>;
}

export function normaliseApiUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function credentialsPath(env: NodeJS.ProcessEnv): string {
  return join(defaultConfigDir(env), 'credentials.json');
}

function readCredentials(env: NodeJS.ProcessEnv): CredentialsFile {
  const file = credentialsPath(env);
  if (!existsSync(file)) return { servers: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CredentialsFile>;
    return { servers: parsed.servers ?? {} };
  } catch {
    throw new AlterError('usage', `${file} is not valid JSON: fix or delete it, then run \`alter auth login\` again`);
  }
}

function writeCredentials(env: NodeJS.ProcessEnv, creds: CredentialsFile): string {
  const file = credentialsPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function storedToken(env: NodeJS.ProcessEnv, apiUrl: string): string | null {
  return readCredentials(env).servers[normaliseApiUrl(apiUrl)]?.token ?? null;
}

export function saveToken(env: NodeJS.ProcessEnv, apiUrl: string, token: string, tokenId: string): string {
  const creds = readCredentials(env);
  creds.servers[normaliseApiUrl(apiUrl)] = { token, token_id: tokenId, saved_at: new Date().toISOString() };
  return writeCredentials(env, creds);
}

/** Forgets the stored token of `apiUrl`; true when there was one. */
export function forgetToken(env: NodeJS.ProcessEnv, apiUrl: string): boolean {
  const creds = readCredentials(env);
  const key = normaliseApiUrl(apiUrl);
  if (!creds.servers[key]) return false;
  delete creds.servers[key];
  if (Object.keys(creds.servers).length === 0) rmSync(credentialsPath(env), { force: true });
  else writeCredentials(env, creds);
  return true;
}

/** The nearest linked workspace at or above `cwd`. */
export function findLink(cwd: string): { appId: string; file: string } | null {
  let dir = cwd;
  for (;;) {
    const file = join(dir, LINK_DIR, LINK_FILE);
    if (existsSync(file)) {
      let parsed: { app_id?: unknown } = {};
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8')) as { app_id?: unknown };
      } catch {
        // Falls through to the error below: a broken link must not silently act on no app.
      }
      if (typeof parsed.app_id === 'string' && parsed.app_id) return { appId: parsed.app_id, file };
      throw new AlterError('usage', `${file} is not a valid link file: run \`alter link APP_ID\` again`);
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function writeLink(cwd: string, appId: string): string {
  const dir = join(cwd, LINK_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LINK_FILE);
  writeFileSync(file, JSON.stringify({ app_id: appId }, null, 2) + '\n');
  return file;
}

export function removeLink(cwd: string): string | null {
  const file = join(cwd, LINK_DIR, LINK_FILE);
  if (!existsSync(file)) return null;
  rmSync(file);
  return file;
}
