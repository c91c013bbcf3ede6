// `alter server init|start`. The server's modules are imported only inside the actions, so the
// rest of the CLI never pays for loading fastify, kysely or the database drivers.
import type { Command} from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { deferSubcommands } from '../../deferred-subcommands.js';
import { defaultDataDir } from '../../../paths.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function registerServer(program: Command, ctx: CliContext): void {
  const server = withExamples(program.command('server').description('initialise and run the alter server'), [
    'alter server init',
    'alter server start --port 8787',
    'DATABASE_URL=postgres://localhost/alter alter server start',
  ]);
  deferSubcommands(server, () => {
    withExamples(
      server
        .command('init')
        .description('create the store and the master key, run migrations, and print the first admin token once')
        .option('--data-dir <dir>', 'data directory (default: $ALTER_DATA_DIR or ~/.local/share/alter)'),
      ['alter server init', 'alter server init --data-dir ./data --output json'],
    ).action(async (opts: { dataDir?: string }, cmd: Command) => {
      const { initServer } = await import('../../../server/lifecycle.js');
      const dataDir = opts.dataDir ?? defaultDataDir(ctx.env);
      const result = await initServer(dataDir, ctx.env);
      ctx.printObject(cmd, { token: result.token, scopes: result.scopes });
      ctx.notice(`Initialised ${result.store}. The admin token above is shown only once: keep it secret.\nNext: alter server start${opts.dataDir ? ` --data-dir ${opts.dataDir}` : ''}, then alter auth login --token-stdin`);
    });

    withExamples(
      server
        .command('start')
        .description('run pending migrations and serve the API, the webhook receiver and the wallet pages')
        .option('--data-dir <dir>', 'data directory (default: $ALTER_DATA_DIR or ~/.local/share/alter)')
        .option('--host <host>', 'address to listen on', '127.0.0.1')
        .option('--port <port>', 'port to listen on', parsePort, 8787)
        .option('--metrics-port <port>', 'also serve Prometheus metrics at http://127.0.0.1:PORT/metrics (a listener of its own)', parsePort)
        .option('--metrics-host <host>', 'address of the metrics listener (default 127.0.0.1: loopback only)'),
      ['alter server start', 'alter server start --host 0.0.0.0 --port 8080', 'alter server start --metrics-port 9464'],
    ).action(async (opts: { dataDir?: string; host: string; port: number; metricsPort?: number; metricsHost?: string }) => {
      const { runServerUntilSignal } = await import('../../../server/lifecycle.js');
      await runServerUntilSignal({ dataDir: opts.dataDir ?? defaultDataDir(ctx.env), host: opts.host, port: opts.port, metricsPort: opts.metricsPort, metricsHost: opts.metricsHost, env: ctx.env });
    });
  });
}
