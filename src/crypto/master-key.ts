// The master key encrypts every stored secret. It comes from ALTER_MASTER_KEY (base64 of 32 bytes)
// or from DIR/master.key, created on first use (`server init`, or a `server start` before it) with
// mode 0600.
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

/** ALTER_MASTER_KEY, else DIR/master.key, created when it does not exist yet. */
export function ensureMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.ALTER_MASTER_KEY) return decode(env.ALTER_MASTER_KEY, 'ALTER_MASTER_KEY');
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    try {
      // 'wx' fails if another process raced us to it: then its key is the one to read.
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return decode(readFileSync(file, 'utf8'), file);
}
