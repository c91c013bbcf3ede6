// What a command needs from the outside world, in one object: streams, environment, global flags,
// an API client and the resolved app. main.ts builds it from the process; tests may build their own.
import type { Command } from 'commander';
import { ApiClient } from '../client/api.js';
import { AlterError } from '../errors.js';
import { DEFAULT_API_URL, findLink, normaliseApiUrl, storedToken } from './config.js';
import { renderList, renderObject, type OutputFormat } from './io/output.js';
import type { Terminal } from './io/confirm.js';

export interface Globals {
  apiUrl: string;
  /** The app from --app, ALTER_APP_ID or the linked workspace, with where it came from. */
  app: { id: string; source: 'flag' | 'env' | 'link' } | null;
  output: OutputFormat | undefined;
  fields: string[] | undefined;
}

export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream;
  terminal: Terminal;
  out(text: string): void;
  /** A notice or warning for people: stderr, never stdout. */
  notice(text: string): void;
  globals(cmd: Command): Globals;
  /** A client that sends the signed-in token; exit 3 when there is none. */
  client(cmd: Command): ApiClient;
  /** A client with an explicit token (auth login checks a token before saving it). */
  clientWithToken(cmd: Command, token: string | null): ApiClient;
  /** The app this command acts on; exit 2 when none is given or linked. */
  requireApp(cmd: Command): string;
  printObject(cmd: Command, obj: object): void;
  printList(cmd: Command, items: object[], columns: string[]): void;
}

interface RawGlobals {
  apiUrl?: string;
  app?: string;
  output?: OutputFormat;
  fields?: string[];
}

export function createContext(io: {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  terminal: Terminal;
}): CliContext {
  const globals = (cmd: Command): Globals => {
    const raw = cmd.optsWithGlobals<RawGlobals>();
    const apiUrl = normaliseApiUrl(raw.apiUrl ?? io.env.ALTER_API_URL ?? DEFAULT_API_URL);
    let app: Globals['app'] = null;
    if (raw.app) app = { id: raw.app, source: 'flag' };
    else if (io.env.ALTER_APP_ID) app = { id: io.env.ALTER_APP_ID, source: 'env' };
    else {
      const link = findLink(io.cwd);
      if (link) app = { id: link.appId, source: 'link' };
    }
    return { apiUrl, app, output: raw.output, fields: raw.fields };
  };

  const ctx: CliContext = {
    env: io.env,
    cwd: io.cwd,
    // Read only when a command reads stdin: touching process.stdin sets up a stream (and, on a
    // terminal, readline) that costs every other command a few milliseconds of start-up.
    get stdin() {
      return io.stdin;
    },
    // Asked when a command needs it, for the same reason (see io/confirm.ts).
    get terminal() {
      return io.terminal;
    },
    out: (text) => void io.stdout.write(text),
    notice: (text) => void io.stderr.write(text.endsWith('\n') ? text : text + '\n'),
    globals,
    clientWithToken: (cmd, token) => new ApiClient({ baseUrl: globals(cmd).apiUrl, token }),
    client(cmd) {
      const { apiUrl } = globals(cmd);
      const token = io.env.ALTER_PAT || storedToken(io.env, apiUrl);
      if (!token) throw new AlterError('unauthenticated', `not signed in to ${apiUrl}: run \`alter auth login --token-file PATH\` or set ALTER_PAT`);
      return new ApiClient({ baseUrl: apiUrl, token });
    },
    requireApp(cmd) {
      const { app } = globals(cmd);
      if (!app) throw new AlterError('usage', 'no app selected: pass --app ID, set ALTER_APP_ID, or run `alter link APP_ID` in this directory');
      return app.id;
    },
    printObject(cmd, obj) {
      const g = globals(cmd);
      ctx.out(renderObject(obj as Record<string, unknown>, g));
    },
    printList(cmd, items, columns) {
      const g = globals(cmd);
      ctx.out(renderList(items as Record<string, unknown>[], columns, g));
    },
  };
  return ctx;
}
