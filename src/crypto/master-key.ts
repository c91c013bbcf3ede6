// The master key encrypts every stored secret. It comes from ALTER_MASTER_KEY (base64 of 32 bytes)
// or from DIR/master.key, created once by `server init` with mode 0600.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { AlterError } from '../errors.js';

export const MASTER_KEY_FILE = 'master.key';

function decode(b64: string, source: string): Buffer {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32) {
    throw new AlterError('usage', `${source} must be base64 of exactly 32 bytes (got ${key.length})`);
  }
  return key;
}

export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.ALTER_MASTER_KEY;
  if (fromEnv) return decode(fromEnv, 'ALTER_MASTER_KEY');
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    throw new AlterError('usage', `no master key at ${file}: run \`alter server init\` first or set ALTER_MASTER_KEY`);
  }
  return decode(readFileSync(file, 'utf8'), file);
}

/** Creates DIR/master.key unless ALTER_MASTER_KEY is set or the file exists. */
export function ensureMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.ALTER_MASTER_KEY) return decode(env.ALTER_MASTER_KEY, 'ALTER_MASTER_KEY');
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    // 'wx' fails if another init raced us to it; mode applies at creation, chmod covers umask.
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return loadMasterKey(dataDir, env);
}
