// The quickstart's shell: runs the real `alter` binary as child processes in a throwaway workspace,
// echoing each command as a user would type it and its output, and owns every process and file it
// creates so that cleanup (also on Ctrl-C) leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

/** bin/alter, from src/demo (tsx) and from dist/demo (built) alike. */
const BIN = fileURLToPath(new URL('../../bin/alter', import.meta.url));
const COMMAND_TIMEOUT_MS = 20_000;
const BANNER_WAIT_MS = 500;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Background {
  /** The first line the process printed on stdout. */
  firstLine: string;
  child: ChildProcess;
}

export class DemoSession {
  readonly dir = mkdtempSync(join(tmpdir(), 'alter-demo-'));
  readonly env: NodeJS.ProcessEnv;
  /** Every child still running, foreground commands included: an interrupt may come at any time. */
  private readonly children = new Set<ChildProcess>();
  private cleaned: Promise<void> | undefined;

  constructor(private readonly write: (text: string) => void) {
    // Only what the story needs: no inherited ALTER_* settings, no DATABASE_URL (the embedded store).
    this.env = {
      PATH: process.env.PATH,
      HOME: join(this.dir, 'home'),
      ALTER_DATA_DIR: join(this.dir, 'data'),
      ALTER_CONFIG_DIR: join(this.dir, 'config'),
      ALTER_DEV_STATE_DIR: join(this.dir, 'dev-provider'),
      ALTER_ALLOW_PRIVATE_ISSUERS: '1',
      ALTER_LOG_LEVEL: 'warn',
    };
  }

  say(text: string): void {
    this.write(`${text}\n`);
  }

  /** Writes a file in the workspace (commands then name it with @file, as a user would). */
  file(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  /**
   * Runs `alter ARGS`, shows it as typed (`shown` replaces the displayed line) and its output
   * (stdout is kept back with `quiet`, as when a shell captures it with `$(…)`).
   */
  run(args: string[], opts: { stdin?: string; shown?: string; quiet?: boolean } = {}): Promise<RunResult> {
    this.say(`\n$ ${opts.shown ?? ['alter', ...args].join(' ')}`);
    return new Promise((resolve) => {
      const child = this.spawn(args, 'pipe');
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!opts.quiet) this.write(d.toString());
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        this.write(d.toString());
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr });
      });
      child.stdin?.end(opts.stdin ?? '');
    });
  }

  /**
   * Starts `alter ARGS &` and, with `waitForLine`, waits for its first line on stdout. stderr is
   * shown as it comes; the two pipes are read independently, so after that first line the story
   * waits a moment for the banner a command prints next on stderr, to keep the transcript in order.
   */
  start(args: string[], opts: { waitForLine: boolean }): Promise<Background> {
    this.say(`\n$ ${['alter', ...args].join(' ')} &`);
    const child = this.spawn(args, ['ignore', 'pipe', 'pipe']);
    child.stderr.on('data', (d: Buffer) => this.write(d.toString()));
    return new Promise((resolve, reject) => {
      let out = '';
      let resolved = false;
      child.stdout.on('data', (d: Buffer) => {
        this.write(d.toString());
        out += d.toString();
        if (!resolved && opts.waitForLine && out.includes('\n')) {
          resolved = true;
          const ready = { firstLine: out.slice(0, out.indexOf('\n')).trim(), child };
          const settle = setTimeout(() => resolve(ready), BANNER_WAIT_MS);
          child.stderr.once('data', () => {
            clearTimeout(settle);
            setImmediate(() => resolve(ready));
          });
        }
      });
      child.on('exit', (code) => {
        if (!resolved) reject(new Error(`alter ${args[0] ?? ''} exited with code ${code ?? 'null'} before it was ready`));
      });
      if (!opts.waitForLine) {
        resolved = true;
        resolve({ firstLine: '', child });
      }
    });
  }

  private spawn(args: string[], stdio: 'pipe' | ['ignore', 'pipe', 'pipe']): ChildProcess & { stdout: Readable; stderr: Readable } {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: this.dir, env: this.env, stdio });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child as ChildProcess & { stdout: Readable; stderr: Readable };
  }

  /** Stops every child still running (SIGTERM, then SIGKILL after 5 s) and removes the workspace. */
  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      await Promise.all([...this.children].map(stop));
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.cleaned;
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
