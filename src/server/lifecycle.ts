// `alter server init` and `alter server start`: open the store, migrate, and (for start) serve
// until SIGTERM/SIGINT, draining in-flight requests before exiting 0.
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AlterError } from '../errors.js';
import { ensureMasterKey } from '../crypto/master-key.js';
import { createSealer } from '../crypto/sealed.js';
import { migrate, openStore, type Store } from '../store/database.js';
import { insertToken } from '../store/repos/tokens.js';
import { recordAudit } from '../store/repos/audit.js';
import { SCOPES } from '../scopes.js';
import { isUniqueViolation } from '../store/database.js';
import { buildServer } from './app.js';
import { createInvalidation } from './invalidation.js';
import { startMetricsListener } from './metrics-listener.js';
import { writeBatcherOf } from '../store/write-batch.js';
import { writeBatchSize } from '../metrics.js';

export interface InitResult {
  token: string;
  scopes: string[];
  data_dir: string;
  store: string;
}

export async function initServer(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<InitResult> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  ensureMasterKey(dataDir, env);
  const store = await openStore({ dataDir, databaseUrl: env.DATABASE_URL });
  try {
    await migrate(store);
    // The marker row's primary key makes "initialised" a database fact: of two racing inits,
    // exactly one inserts it and prints a token.
    return await store.db.transaction().execute(async (tx) => {
      try {
        await tx.insertInto('cache_versions').values({ scope: 'initialized', version: 1 }).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new AlterError('already_initialized', 'this store is already initialised; no new token was created (use `alter tokens create` with an admin token)');
        throw err;
      }
      const { row, token } = await insertToken(tx, { name: 'admin (server init)', scopes: [...SCOPES], appId: null, createdBy: null, expiresAt: null });
      await recordAudit(tx, { actor: 'system', action: 'server.init', target: row.id });
      return { token, scopes: [...SCOPES], data_dir: dataDir, store: store.location };
    });
  } finally {
    await store.close();
  }
}

export interface StartOptions {
  dataDir: string;
  host: string;
  port: number;
  /** Serve Prometheus metrics on this port (its own listener); none when undefined. */
  metricsPort?: number;
  metricsHost?: string;
  env?: NodeJS.ProcessEnv;
  logger?: boolean;
  /**
   * Start the writer thread before listening (default): started by the first batch instead, it
   * held that batch up while it loaded (about 300 ms here). Off only for servers that may never
   * write a batch and start by the hundred (the in-process test servers).
   */
  warmWriter?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  /** http://HOST:PORT/metrics when --metrics-port was given. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  // A start without init still gets a key of its own (and `init` later finds and keeps it).
  const sealer = createSealer(ensureMasterKey(opts.dataDir, env));
  const store = await openStore({ dataDir: opts.dataDir, databaseUrl: env.DATABASE_URL });
  await migrate(store);
  const batcher = writeBatcherOf(store.db);
  if (batcher) {
    batcher.onCommit = (writes) => writeBatchSize.observe(writes);
    if (opts.warmWriter ?? true) await batcher.warmUp();
  }
  const invalidation = createInvalidation();
  const allowPrivateIssuers = env.ALTER_ALLOW_PRIVATE_ISSUERS === '1';
  const displayHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const settings = {
    publicUrl: (env.ALTER_PUBLIC_URL ?? `http://${displayHost}:${opts.port}`).replace(/\/+$/, ''),
    allowPrivateIssuers,
  };
  const app = await buildServer({ store, sealer, settings, invalidation }, { logger: opts.logger ?? true });
  if (allowPrivateIssuers) app.log.warn('ALTER_ALLOW_PRIVATE_ISSUERS=1: outbound calls may reach http:// and private addresses; for development only');
  // The first poll before the first request: resolution answers from caches only while polls succeed.
  await invalidation.start(store.control, app.log);
  // Metrics listen first, so that the line saying where the server listens is the last start-up line.
  const metrics = opts.metricsPort === undefined ? null : await startMetricsListener(opts.metricsHost ?? '127.0.0.1', opts.metricsPort);
  if (metrics) app.log.info(`metrics on ${metrics.url}`);
  await app.listen({ host: opts.host, port: opts.port, listenTextResolver: (address) => `alter listening on ${address} (store: ${store.location})` });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  if (!env.ALTER_PUBLIC_URL) settings.publicUrl = `http://${displayHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url: `http://${displayHost}:${port}`,
    metricsUrl: metrics?.url ?? null,
    close() {
      closing ??= (async () => {
        invalidation.stop();
        // close() drops connections idle at the moment it is called; connections whose request
        // finishes during the drain become idle later, and a keep-alive client would hold the
        // process open until its socket times out. Keep sweeping until the drain is done.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        await metrics?.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Runs until a signal, then drains and exits 0. */
export async function runServerUntilSignal(opts: StartOptions): Promise<void> {
  const server = await startServer(opts);
  const stop = (signal: string): void => {
    server.app.log.info(`${signal} received: draining in-flight requests`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
