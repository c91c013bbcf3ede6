// Directory sync management (scope dashboard_identity_providers:directory): enable with the
// provider's management-API credentials (checked before saving, sealed, never shown again), update,
// status, runs (start one now, list, follow one) and disable.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authoriseProvider, type Principal } from '../auth.js';
import { limitParam, parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { recordAudit } from '../../store/repos/audit.js';
import type { ProviderRow } from '../../store/repos/identity-providers.js';
import { findRun, findSync, latestRun, listRuns, type SyncRow } from '../../store/repos/directory-syncs.js';
import { createDirectorySource, parseCredentials } from '../../directory/sources/index.js';
import { DEFAULT_INTERVAL, DEFAULT_THRESHOLD, parseInterval, parseThreshold } from '../../directory/sync-settings.js';
import { runView, syncStatusView } from '../../directory/sync-view.js';

const EnableBody = z.strictObject({
  credentials: z.record(z.string(), z.unknown()),
  interval: z.string().optional(),
  deletion_threshold: z.string().optional(),
});
const UpdateBody = z.strictObject({
  credentials: z.record(z.string(), z.unknown()).optional(),
  interval: z.string().optional(),
  deletion_threshold: z.string().optional(),
});
const RunBody = z.strictObject({ dry_run: z.boolean().optional(), force: z.boolean().optional() });

type Params = { Params: { appId: string; providerId: string } };

export function directorySyncRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;
  const base = '/v1/apps/:appId/identity-providers/:providerId/sync';

  const authorise = (req: FastifyRequest<Params>): Promise<{ principal: Principal; provider: ProviderRow }> =>
    authoriseProvider(db, req, 'dashboard_identity_providers:directory', req.params.appId, req.params.providerId);

  async function requireSync(provider: ProviderRow): Promise<SyncRow> {
    const sync = await findSync(db, provider.id);
    if (!sync) throw new AlterError('not_found', `directory sync is not enabled for provider ${provider.id} (alter idp sync enable)`);
    return sync;
  }

  /** Parses and checks credentials against the provider: refused → nothing saved; inconclusive → a notice. */
  async function checkedCredentials(provider: ProviderRow, raw: Record<string, unknown>): Promise<{ sealed: string; verification: string; notices: string[] }> {
    const credentials = parseCredentials(provider.provider_type, raw);
    const check = await createDirectorySource(provider, credentials, { allowPrivate: ctx.settings.allowPrivateIssuers }).checkCredentials();
    if (check.outcome === 'refused') throw new AlterError('directory_credentials_rejected', `the provider refused the management-API credentials (${check.reason}); nothing was saved`);
    return {
      sealed: ctx.sealer.seal(JSON.stringify(raw), provider.id),
      verification: check.outcome,
      notices: check.outcome === 'unverified' ? [`The credentials could not be verified (${check.reason}); they were saved unverified: the next run will tell.`] : [],
    };
  }

  async function status(provider: ProviderRow): Promise<object> {
    const sync = await findSync(db, provider.id);
    return syncStatusView(provider.id, sync, sync ? await latestRun(db, provider.id) : undefined);
  }

  app.post<Params>(`${base}/enable`, { config: { body: EnableBody } }, async (req) => {
    const { principal, provider } = await authorise(req);
    const body = parseBody(EnableBody, req.body);
    if (await findSync(db, provider.id)) throw new AlterError('conflict', `directory sync is already enabled for provider ${provider.id} (alter idp sync update changes it)`);
    const interval = parseInterval(body.interval ?? DEFAULT_INTERVAL);
    const threshold = body.deletion_threshold ?? DEFAULT_THRESHOLD;
    parseThreshold(threshold);
    const { sealed, verification, notices } = await checkedCredentials(provider, body.credentials);
    const now = new Date().toISOString();
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('directory_syncs')
        .values({ provider_id: provider.id, app_id: provider.app_id, credentials: sealed, verification, interval_seconds: interval, deletion_threshold: threshold, next_run_at: new Date(Date.now() + interval * 1000).toISOString(), lease_holder: null, lease_until: null, created_at: now, updated_at: now })
        .execute();
      await recordAudit(tx, { actor: principal.actor, action: 'directory_sync.enable', appId: provider.app_id, target: provider.id, details: { verification, interval_seconds: interval, deletion_threshold: threshold } });
    });
    return { ...(await status(provider)), notices };
  });

  app.post<Params>(`${base}/update`, { config: { body: UpdateBody } }, async (req) => {
    const { principal, provider } = await authorise(req);
    const body = parseBody(UpdateBody, req.body);
    const sync = await requireSync(provider);
    const interval = body.interval === undefined ? undefined : parseInterval(body.interval);
    if (body.deletion_threshold !== undefined) parseThreshold(body.deletion_threshold);
    const checked = body.credentials ? await checkedCredentials(provider, body.credentials) : undefined;
    const now = new Date().toISOString();
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('directory_syncs')
        .set({
          ...(interval !== undefined ? { interval_seconds: interval, next_run_at: new Date(Math.min(Date.parse(sync.next_run_at), Date.now() + interval * 1000)).toISOString() } : {}),
          ...(body.deletion_threshold !== undefined ? { deletion_threshold: body.deletion_threshold } : {}),
          ...(checked ? { credentials: checked.sealed, verification: checked.verification } : {}),
          updated_at: now,
        })
        .where('provider_id', '=', provider.id)
        .execute();
      await recordAudit(tx, { actor: principal.actor, action: 'directory_sync.update', appId: provider.app_id, target: provider.id, details: { credentials: !!checked, interval_seconds: interval ?? null, deletion_threshold: body.deletion_threshold ?? null } });
    });
    return { ...(await status(provider)), notices: checked?.notices ?? [] };
  });

  app.get<Params>(base, async (req) => status((await authorise(req)).provider));

  app.post<Params>(`${base}/disable`, async (req) => {
    const { principal, provider } = await authorise(req);
    await db.transaction().execute(async (tx) => {
      const res = await tx.deleteFrom('directory_syncs').where('provider_id', '=', provider.id).executeTakeFirst();
      if (Number(res.numDeletedRows)) await recordAudit(tx, { actor: principal.actor, action: 'directory_sync.disable', appId: provider.app_id, target: provider.id });
    });
    return status(provider);
  });

  app.post<Params>(`${base}/runs`, { config: { body: RunBody } }, async (req, reply) => {
    const { principal, provider } = await authorise(req);
    const body = parseBody(RunBody, req.body ?? {});
    const sync = await requireSync(provider);
    const run = await ctx.syncRunner.start(provider, sync, { trigger: 'manual', dryRun: body.dry_run ?? false, force: body.force ?? false, actor: principal.actor });
    return reply.status(202).send(runView(run!));
  });

  app.get<Params & { Querystring: { limit?: string } }>(`${base}/runs`, async (req) => {
    const { provider } = await authorise(req);
    return { items: (await listRuns(db, provider.id, limitParam(req.query.limit, 20, 1000))).map(runView) };
  });

  app.get<{ Params: { appId: string; providerId: string; runId: string } }>(`${base}/runs/:runId`, async (req) => {
    const { provider } = await authorise(req);
    const run = await findRun(db, provider.id, req.params.runId);
    if (!run) throw new AlterError('not_found', `run ${req.params.runId} not found`);
    return runView(run);
  });
}
