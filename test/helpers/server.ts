// Real alter servers for tests: in-process on port 0 (fast, for most tests) or as a child process
// of the real binary (for start-up, signals and several processes on one database).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { initServer, startServer, type RunningServer } from '../../src/server/lifecycle.js';
import { BIN } from './cli.js';
import { onCleanup, testEnv, type TestEnv } from './env.js';

export interface TestServer {
  url: string;
  env: TestEnv;
  /** The admin token printed by `server init` (every scope). */
  adminToken: string;
  server: RunningServer;
  /** Env for the CLI pointed at this server and signed in with the admin token. */
  cliEnv: Record<string, string | undefined>;
  /** fetch against the server with the admin token (JSON body when given). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
}

export async function startTestServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const env = await testEnv(extraEnv);
  const { token } = await initServer(env.ALTER_DATA_DIR, env);
  // No writer thread until a test's first batch: under tsx a thread takes most of a second to start.
  const server = await startServer({ dataDir: env.ALTER_DATA_DIR, host: '127.0.0.1', port: 0, env: env, logger: false, warmWriter: false });
  onCleanup(() => server.close());
  const url = server.url;
  return {
    url,
    env,
    adminToken: token,
    server,
    cliEnv: { ...env, ALTER_API_URL: url, ALTER_PAT: token },
    async api(method, path, body, tok = token) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
  };
}

export interface SpawnedServer {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited (sends nothing). */
  exited: Promise<number | null>;
}

/** `alter server start --port 0` as a child process; resolves once it logs where it listens. */
export function spawnServer(env: Record<string, string | undefined>, args: string[] = []): Promise<SpawnedServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'server', 'start', '--port', '0', ...args], { env: { ...env, ALTER_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    onCleanup(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /alter listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m && !done) {
        done = true;
        resolve({
          url: m[1]!,
          proc,
          output: () => out,
          exited,
          stop(signal = 'SIGTERM') {
            proc.kill(signal);
            return exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    void exited.then((code) => {
      if (!done) reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
    setTimeout(() => {
      if (!done) reject(new Error(`server did not start in 20 s:\n${out}`));
    }, 20_000).unref();
  });
}

/** A management call to a server started with spawnServer; anything but a 2xx fails the test. */
export async function apiOk(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await res.json();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}
