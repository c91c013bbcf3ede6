// Webhook management: enable, rotate, disable, status and the latest deliveries of a provider's
// webhook receiver (scope dashboard_identity_providers:webhooks). The secret is shown once, in the
// answer to enable and rotate, and otherwise exists only sealed in the store.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authoriseProvider, type Principal } from '../auth.js';
import { limitParam, parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { nowIso } from '../../store/database.js';
import { recordAudit } from '../../store/repos/audit.js';
import type { ProviderRow } from '../../store/repos/identity-providers.js';
import {
  DELIVERY_LOG_SIZE,
  disableWebhook,
  enableWebhook,
  findWebhook,
  listDeliveryLog,
  rotateWebhookSecret,
  webhookSecretAad,
  type WebhookRow,
} from '../../store/repos/webhooks.js';
import { adapterFor } from '../../idp/webhooks/adapters.js';
import type { WebhookAdapter } from '../../idp/webhooks/scheme.js';
import { webhookUrl } from '../../idp/provider-view.js';

const SecretBody = z.strictObject({ secret: z.string().min(1, 'must not be empty').max(1024).optional() });

// "Nothing has arrived for a long time": long enough that a quiet tenant is not flagged, short
// enough that a webhook misconfigured at the provider is noticed the day after enabling.
const SILENCE_WARNING_MS = 24 * 3600 * 1000;

type Params = { Params: { appId: string; providerId: string } };

interface Warning {
  code: string;
  message: string;
}

function hoursSince(iso: string, now: number): number {
  return Math.floor((now - Date.parse(iso)) / 3600_000);
}

function warningsFor(w: WebhookRow | undefined, now = Date.now()): Warning[] {
  if (!w?.enabled) return [];
  const out: Warning[] = [];
  const lastArrival = w.last_event_at ?? w.enabled_at;
  if (lastArrival && now - Date.parse(lastArrival) > SILENCE_WARNING_MS) {
    out.push({
      code: 'no_recent_events',
      message: w.last_event_at
        ? `nothing has arrived for ${hoursSince(w.last_event_at, now)} h: check the endpoint is still active at the provider`
        : `nothing has arrived in the ${hoursSince(lastArrival, now)} h since enabling: check the URL, the secret and the subscribed events at the provider`,
    });
  }
  if (w.last_rejection_at && (!w.last_event_at || w.last_rejection_at > w.last_event_at)) {
    out.push({ code: 'deliveries_rejected', message: `the latest delivery was rejected: ${w.last_rejection_reason ?? 'unknown reason'}` });
  }
  return out;
}

export function webhookAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;
  const base = '/v1/apps/:appId/identity-providers/:providerId/webhook';

  const authorise = (req: FastifyRequest<Params>): Promise<{ principal: Principal; provider: ProviderRow }> =>
    authoriseProvider(db, req, 'dashboard_identity_providers:webhooks', req.params.appId, req.params.providerId);

  /** The given secret if the scheme accepts it, else a generated one; Svix (Clerk) secrets must be given. */
  function chooseSecret(adapter: WebhookAdapter, body: unknown): { secret: string; generated: boolean } {
    const given = parseBody(SecretBody, body ?? {}).secret;
    if (given !== undefined) {
      const problem = adapter.checkSecret(given);
      if (problem) throw new AlterError('invalid_request', `secret: ${problem}`, { field: 'secret' });
      return { secret: given, generated: false };
    }
    if (!adapter.generateSecret) throw new AlterError('invalid_request', `secret: required for the ${adapter.scheme} scheme; ${adapter.checkSecret('')}`, { field: 'secret' });
    return { secret: adapter.generateSecret(), generated: true };
  }

  function shownOnce(provider: ProviderRow, adapter: WebhookAdapter, secret: string): Record<string, unknown> {
    const url = webhookUrl(ctx.settings, provider.id);
    return { provider_id: provider.id, enabled: true, url, scheme: adapter.scheme, secret, next_step: adapter.nextStep(url) };
  }

  /** Runs a change with its audit entry and cache bump in one transaction, then tells local caches. */
  async function change(provider: ProviderRow, work: (tx: typeof db) => Promise<void>): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await work(tx);
      await ctx.invalidation.bump(tx, provider.app_id);
    });
    ctx.invalidation.notifyLocal(provider.app_id);
  }

  app.post<Params>(`${base}/enable`, { config: { body: SecretBody } }, async (req) => {
    const { principal, provider } = await authorise(req);
    const adapter = adapterFor(provider.webhook_scheme);
    const { secret, generated } = chooseSecret(adapter, req.body);
    await change(provider, async (tx) => {
      const now = nowIso();
      if (!(await enableWebhook(tx, provider.id, adapter.scheme, ctx.sealer.seal(secret, webhookSecretAad(provider.id)), now))) {
        throw new AlterError('conflict', 'the webhook is already enabled; to replace its secret use `alter idp webhook rotate`');
      }
      await recordAudit(tx, { actor: principal.actor, action: 'webhook.enable', appId: provider.app_id, target: provider.id, details: { scheme: adapter.scheme, secret_generated: generated } });
    });
    return shownOnce(provider, adapter, secret);
  });

  app.post<Params>(`${base}/rotate`, { config: { body: SecretBody } }, async (req) => {
    const { principal, provider } = await authorise(req);
    const webhook = await findWebhook(db, provider.id);
    const adapter = adapterFor(webhook?.scheme ?? provider.webhook_scheme);
    const { secret, generated } = chooseSecret(adapter, req.body);
    await change(provider, async (tx) => {
      if (!(await rotateWebhookSecret(tx, provider.id, ctx.sealer.seal(secret, webhookSecretAad(provider.id)), nowIso()))) {
        throw new AlterError('conflict', 'the webhook is not enabled; enable it first with `alter idp webhook enable`');
      }
      await recordAudit(tx, { actor: principal.actor, action: 'webhook.rotate', appId: provider.app_id, target: provider.id, details: { secret_generated: generated } });
    });
    return shownOnce(provider, adapter, secret);
  });

  app.post<Params>(`${base}/disable`, async (req) => {
    const { principal, provider } = await authorise(req);
    await change(provider, async (tx) => {
      // Disabling twice is not an error: the state asked for is the state reached.
      if (await disableWebhook(tx, provider.id)) {
        await recordAudit(tx, { actor: principal.actor, action: 'webhook.disable', appId: provider.app_id, target: provider.id });
      }
    });
    return statusOf(provider, await findWebhook(db, provider.id));
  });

  app.get<Params>(`${base}/status`, async (req) => {
    const { provider } = await authorise(req);
    return statusOf(provider, await findWebhook(db, provider.id));
  });

  app.get<Params & { Querystring: { limit?: string } }>(`${base}/deliveries`, async (req) => {
    const { provider } = await authorise(req);
    const rows = await listDeliveryLog(db, provider.id, limitParam(req.query.limit, 20, DELIVERY_LOG_SIZE));
    return { items: rows.map((r) => ({ id: r.id, received_at: r.received_at, outcome: r.outcome, event_type: r.event_type, events: Number(r.events), reason: r.reason })) };
  });

  function statusOf(provider: ProviderRow, w: WebhookRow | undefined): Record<string, unknown> {
    const adapter = adapterFor(w?.scheme ?? provider.webhook_scheme);
    return {
      provider_id: provider.id,
      enabled: !!w?.enabled,
      url: webhookUrl(ctx.settings, provider.id),
      scheme: adapter.scheme,
      secret_set_at: w?.secret_set_at ?? null,
      events_received: w?.events_received ?? 0,
      events_rejected: w?.events_rejected ?? 0,
      last_event_at: w?.last_event_at ?? null,
      last_event_type: w?.last_event_type ?? null,
      last_rejection_at: w?.last_rejection_at ?? null,
      last_rejection_reason: w?.last_rejection_reason ?? null,
      enabled_at: w?.enabled_at ?? null,
      expected_events: adapter.expectedEvents,
      warnings: warningsFor(w),
    };
  }
}
