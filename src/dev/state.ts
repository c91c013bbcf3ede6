// The state file of a running `alter dev provider`: where it listens and the admin secret that
// `alter dev token` and `alter dev provider rotate-keys` present to it. The directory is 0700 and
// the file 0600, so only the user who started the provider can mint tokens from it; the file is
// removed when the provider stops.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AlterError } from '../errors.js';

export interface DevProviderState {
  issuer: string;
  pid: number;
  admin_secret: string;
  started_at: string;
}

export function defaultDevStateDir(env: NodeJS.ProcessEnv): string {
  if (env.ALTER_DEV_STATE_DIR) return env.ALTER_DEV_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'alter', 'dev');
}

function stateFile(dir: string): string {
  return join(dir, 'provider.json');
}

export function writeDevState(dir: string, state: DevProviderState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(stateFile(dir), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

/** Removes the state file if it still belongs to this process (a newer provider may have replaced it). */
export function removeDevState(dir: string, pid: number): void {
  const current = readStateIfAny(dir);
  if (current?.pid === pid) rmSync(stateFile(dir), { force: true });
}

function readStateIfAny(dir: string): DevProviderState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as DevProviderState;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a dev provider that is running now; not_found when there is none in `dir`. */
export function readDevState(dir: string): DevProviderState {
  const state = readStateIfAny(dir);
  if (!state || !isAlive(state.pid)) {
    throw new AlterError('not_found', `no dev provider is running with state directory ${dir}: start one with \`alter dev provider\` (or pass the --state-dir it uses)`);
  }
  return state;
}

/** A live provider already owns `dir`: a second one would overwrite its admin secret. */
export function assertStateDirFree(dir: string): void {
  const state = readStateIfAny(dir);
  if (state && state.pid !== process.pid && isAlive(state.pid)) {
    throw new AlterError('conflict', `a dev provider (pid ${state.pid}, ${state.issuer}) already uses state directory ${dir}: stop it or pass another --state-dir`);
  }
}
