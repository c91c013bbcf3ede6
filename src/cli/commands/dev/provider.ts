// `alter dev provider` (serve a local OpenID Provider until SIGTERM/SIGINT; SIGHUP rotates keys)
// and `alter dev provider rotate-keys` (ask the running one to rotate).
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { parsePort } from '../server/index.js';
import { CLIENT_FORMAT, DEFAULT_USERS, USER_FORMAT, collect, parseClientFlag, parseUserFlag, parseUsersArg } from './options.js';
import { callDevAdmin } from './admin-client.js';
import { assertStateDirFree, defaultDevStateDir, readDevState, removeDevState, writeDevState } from '../../../dev/state.js';
import { AlterError } from '../../../errors.js';
import type { DevClient, DevUser } from '../../../dev/provider.js';

interface ProviderOpts {
  host: string;
  port: number;
  users?: string;
  user?: DevUser[];
  client?: DevClient[];
  stateDir?: string;
  allowNonLoopback?: boolean;
}

async function serve(ctx: CliContext, cmd: Command, opts: ProviderOpts): Promise<void> {
  if (opts.users !== undefined && opts.user?.length) throw new AlterError('usage', 'give either --users or --user, not both');
  const users = opts.users !== undefined ? await parseUsersArg(opts.users, ctx) : opts.user?.length ? opts.user : DEFAULT_USERS;
  const stateDir = opts.stateDir ?? defaultDevStateDir(ctx.env);
  assertStateDirFree(stateDir);
  const { startDevProvider } = await import('../../../dev/provider.js');
  // Web crypto rather than node:crypto, whose import would cost every command's start-up.
  const adminSecret = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const provider = await startDevProvider({
    host: opts.host, port: opts.port, users, clients: opts.client ?? [], allowNonLoopback: opts.allowNonLoopback ?? false, adminSecret,
  });
  writeDevState(stateDir, { issuer: provider.issuer, pid: process.pid, admin_secret: adminSecret, started_at: new Date().toISOString() });

  // The issuer comes first on stdout, alone on its line (or as the one JSON line), for scripts.
  if (ctx.globals(cmd).output === 'json' || ctx.globals(cmd).output === 'jsonl') {
    ctx.out(JSON.stringify({ issuer: provider.issuer, jwks_uri: provider.jwksUri, users: users.map((u) => u.sub), clients: (opts.client ?? []).map((c) => c.client_id), state_dir: stateDir }) + '\n');
  } else {
    ctx.out(`${provider.issuer}\n`);
  }
  ctx.notice(
    `dev provider listening at ${provider.issuer} (users: ${users.map((u) => u.sub).join(', ')}; any password)\n` +
      `  mint a token:  alter dev token --user ${users[0]?.sub ?? 'SUB'}${opts.stateDir ? ` --state-dir ${opts.stateDir}` : ''}\n` +
      `  rotate keys:   alter dev provider rotate-keys, or kill -HUP ${process.pid}\n` +
      `  use it:        ALTER_ALLOW_PRIVATE_ISSUERS=1 on the server, then alter idp create --issuer-url ${provider.issuer}`,
  );

  process.on('SIGHUP', () => {
    provider.rotateKeys().then(
      () => ctx.notice('signing keys rotated'),
      (err: unknown) => ctx.notice(`key rotation failed: ${(err as Error).message}`),
    );
  });
  const stop = (): void => {
    removeDevState(stateDir, process.pid);
    provider.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export function registerDevProvider(dev: Command, ctx: CliContext): void {
  const provider = withExamples(
    dev
      .command('provider')
      .description('run a local OpenID Provider (loopback, test users, login form accepting any password) until SIGTERM/SIGINT; SIGHUP rotates its keys')
      .option('--host <host>', 'address to listen on (loopback only unless --allow-non-loopback)', '127.0.0.1')
      .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 9090)
      .option('--users <json>', 'test users as a JSON array of {sub,email,name,groups,roles}: -, @file or inline')
      .option('--user <spec>', `a test user, ${USER_FORMAT} (repeatable; default: alice and bob)`, collect(parseUserFlag))
      .option('--client <spec>', `a client, ${CLIENT_FORMAT}; each URI is allowed as redirect and post-logout URI (repeatable)`, collect(parseClientFlag))
      .option('--state-dir <dir>', 'where the admin secret for `alter dev token` is kept (default: $ALTER_DEV_STATE_DIR or ~/.local/state/alter/dev)')
      .option('--allow-non-loopback', 'listen on a non-loopback address (anyone who reaches it can sign in as any test user)'),
    [
      'alter dev provider',
      'alter dev provider --port 9090 --user alice:alice@example.test:Alice:engineering,ops:admin',
      'alter dev provider --users @users.json --client wallet:s3cret:http://127.0.0.1:8787/wallet/callback,http://127.0.0.1:8787/wallet/sign-in',
      'alter dev provider rotate-keys',
    ],
  ).action((opts: ProviderOpts, cmd: Command) => serve(ctx, cmd, opts));

  withExamples(
    provider
      .command('rotate-keys')
      .description('replace the running dev provider’s signing keys (new kids; the old keys leave its JWKS at once)')
      .option('--state-dir <dir>', 'the state directory the provider was started with'),
    ['alter dev provider rotate-keys'],
  ).action(async (opts: { stateDir?: string }, cmd: Command) => {
    const answer = await callDevAdmin(readDevState(opts.stateDir ?? defaultDevStateDir(ctx.env)), 'rotate-keys', {});
    ctx.printObject(cmd, answer);
  });
}
