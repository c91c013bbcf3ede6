// Assembles the HTTP server: one error handler that turns every failure into
// {"error":{"code","message"}} with the registry's status, body limits, and the route modules.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { AlterError } from '../errors.js';
import { isStoreFault, storeUnavailable } from '../store/faults.js';
import type { ServerContext } from './context.js';
import { loggerOptions } from './logger.js';
import { ROUTES } from './routes/index.js';
import { createStoreFaultLog, sendRetryAfter } from './store-faults.js';
import { bodyRead, discardBody } from './linger.js';
import { describeRoutes } from './openapi.js';
import { createSyncRunner } from '../directory/sync-runner.js';
import { startSyncScheduler, type SyncScheduler } from '../directory/sync-scheduler.js';

/** Default body cap of the management API; routes with other needs set their own. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface BuildOptions {
  logger?: boolean;
}

/** /readyz gives the store this long to answer one query. */
export const READY_TIMEOUT_MS = 2_000;

function toAlterError(err: FastifyError | AlterError | Error): AlterError {
  if (err instanceof AlterError) return err;
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AlterError('payload_too_large', 'request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AlterError('unsupported_media_type', 'request body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AlterError('invalid_request', 'request body is empty; send a JSON object', { field: null });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AlterError('invalid_request', `request body is not valid JSON: ${fe.message}`, { field: null });
    default:
  }
  if (err instanceof SyntaxError || fe.statusCode === 400) {
    return new AlterError('invalid_request', `request body is not valid JSON: ${err.message}`, { field: null });
  }
  if (fe.statusCode === 413) return new AlterError('payload_too_large', 'request body is too large');
  if (fe.statusCode === 415) return new AlterError('unsupported_media_type', err.message);
  return new AlterError('internal', 'internal error');
}

export async function buildServer(ctx: Omit<ServerContext, 'log' | 'storeFaults' | 'syncRunner'>, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Behind a load balancer the real client address matters for logs only; never trust it for auth.
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const storeFaults = createStoreFaultLog(app.log);
  const syncRunner = createSyncRunner({ db: ctx.store.db, sealer: ctx.sealer, invalidation: ctx.invalidation, allowPrivate: ctx.settings.allowPrivateIssuers, log: app.log });
  const context: ServerContext = { ...ctx, log: app.log, storeFaults, syncRunner };
  // Scheduled directory syncs run while the server serves; at close, runs in progress stop and
  // apply nothing (their lease is released for another process).
  let scheduler: SyncScheduler | undefined;
  app.addHook('onReady', (done) => {
    scheduler = startSyncScheduler(ctx.store.db, syncRunner, app.log);
    done();
  });
  app.addHook('onClose', async () => {
    scheduler?.stop();
    await syncRunner.stop();
  });

  // Every scope inherits this: an answer given before the body was read (a 413, a 401 of resolve,
  // whose body is never read) waits for the client to finish sending (see linger.ts).
  app.addHook('onSend', (req, _reply, payload, done) => {
    if (bodyRead(req.raw)) return done(null, payload);
    void discardBody(req.raw).then(() => done(null, payload));
  });

  app.setErrorHandler((err: FastifyError | AlterError, req, reply) => {
    const fault = !(err instanceof AlterError) && isStoreFault(err);
    const e = fault ? storeUnavailable() : toAlterError(err);
    if (e.code === 'internal') req.log.error({ err }, 'unhandled error');
    if (fault) storeFaults.report(err);
    sendRetryAfter(reply, e);
    void reply.status(e.status).type('application/json').send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(new AlterError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`).toJSON());
  });

  // Liveness: the process serves. It does not ask the store, so that an orchestrator does not
  // restart every server while the database restarts; /readyz is the question "can it serve".
  app.get('/healthz', (_req, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeUnavailable(`the store did not answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`.execute(ctx.store.control), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ready' };
  });

  const openapi = describeRoutes(app);
  for (const register of ROUTES) await register(app, context);
  app.get('/openapi.json', (_req, reply) => reply.send(openapi()));
  return app;
}
