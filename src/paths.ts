// Default locations, per the XDG base directory convention.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALTER_DATA_DIR) return env.ALTER_DATA_DIR;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'alter');
}

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALTER_CONFIG_DIR) return env.ALTER_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'alter');
}
