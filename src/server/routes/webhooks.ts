// The webhook receiver: POST /v1/webhooks/idp/:providerId (and Okta's verification GET). No token:
// the delivery's signature or Authorization header is the authentication. Its own encapsulated
// plugin, because it reads the raw bytes (signatures are over exactly those) under its own cap.
//
// Order of checks, each refusal changing nothing but the rejection counters and the delivery log:
// known and enabled (404) → body within 1 MiB (413) → authentic (401) → JSON content type (415)
// → parseable (400) → applied once per event id, in one transaction with the counters (2xx).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { AlterError } from '../../errors.js';
import { webhookDeliveries } from '../../metrics.js';
import { nowIso } from '../../store/database.js';
import { findProviderById, type ProviderRow } from '../../store/repos/identity-providers.js';
import {
  claimDelivery,
  findWebhook,
  logDelivery,
  pruneDeliveries,
  recordReceived,
  recordRejection,
  webhookSecretAad,
} from '../../store/repos/webhooks.js';
import { adapterFor } from '../../idp/webhooks/adapters.js';
import { MalformedDelivery, type ProviderEvent } from '../../idp/webhooks/events.js';
import type { WebhookAdapter, WebhookRequest } from '../../idp/webhooks/scheme.js';
import { applyLifecycleEvents } from '../../idp/lifecycle.js';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
// Longer than any provider's retry window (Svix ≈ 1 day, Auth0 and Okta less): a redelivery within
// it is recognised, older ids are forgotten.
const DELIVERY_MEMORY_MS = 14 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

const JSON_TYPES = new Set(['application/json', 'application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-lines']);

type Params = { Params: { providerId: string } };

interface EnabledWebhook {
  provider: ProviderRow;
  adapter: WebhookAdapter;
  /** The sealed value as read: the delivery's transaction checks it is still the current one. */
  sealedSecret: string;
  secret: string;
}

function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return JSON_TYPES.has(type) || /^application\/[\w.-]+\+json$/.test(type);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The scheme of the provider a delivery was for, once known (for metrics). */
    webhookScheme: string | null;
  }
}

const OUTCOMES: Record<number, string> = { 401: 'rejected', 400: 'malformed', 415: 'malformed', 404: 'not_found', 413: 'too_large', 503: 'unavailable' };

function deliveryOutcome(status: number): string {
  return status < 300 ? 'accepted' : (OUTCOMES[status] ?? 'error');
}

export async function webhookReceiverRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { db } = ctx.store;
  let lastPrune = 0;

  // The secret is read for every delivery, never cached: once rotate or disable has committed,
  // the old secret fails on every server process.
  async function loadEnabled(providerId: string): Promise<EnabledWebhook> {
    const provider = await findProviderById(db, providerId);
    const webhook = provider ? await findWebhook(db, providerId) : undefined;
    if (!provider || !webhook?.enabled || !webhook.secret) throw new AlterError('not_found', 'no enabled webhook at this address');
    return { provider, adapter: adapterFor(webhook.scheme), sealedSecret: webhook.secret, secret: ctx.sealer.open(webhook.secret, webhookSecretAad(providerId)) };
  }

  /** Counts and logs a refused delivery (its reason only: never its body or a secret). */
  async function recordRefusal(providerId: string, reason: string): Promise<void> {
    const now = nowIso();
    await db.transaction().execute((tx) => recordRejection(tx, providerId, reason, now));
  }

  async function refuse(providerId: string, error: AlterError, reason: string): Promise<never> {
    await recordRefusal(providerId, reason);
    ctx.log.warn({ provider_id: providerId, reason }, 'webhook delivery rejected');
    throw error;
  }

  function authenticate(hook: EnabledWebhook, req: WebhookRequest): Promise<void> {
    const reason = hook.adapter.authenticate(req, hook.secret);
    if (!reason) return Promise.resolve();
    return refuse(hook.provider.id, new AlterError('webhook_unauthenticated', `webhook delivery refused: ${reason}`), reason);
  }

  function pruneOccasionally(): void {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    pruneDeliveries(db, new Date(Date.now() - DELIVERY_MEMORY_MS).toISOString()).catch((err: unknown) => ctx.log.warn({ err }, 'pruning old webhook delivery ids failed'));
  }

  /** Applies every event not applied before; null when the secret changed since it was checked. */
  async function apply(hook: EnabledWebhook, events: ProviderEvent[]): Promise<{ applied: number; duplicates: number; ignored: number } | null> {
    const { provider } = hook;
    const now = nowIso();
    return db.transaction().execute(async (tx) => {
      const lastType = events.at(-1)?.type ?? null;
      const current = await recordReceived(tx, provider.id, hook.sealedSecret, { count: events.length, lastType, now });
      if (!current) return null;
      await logDelivery(tx, provider.id, { outcome: 'accepted', now, eventType: lastType, events: events.length });
      const outcome = { applied: 0, duplicates: 0, ignored: 0 };
      for (const event of events) {
        if (!event.events.length) outcome.ignored++;
        else if (!(await claimDelivery(tx, provider.id, event.id, now))) outcome.duplicates++;
        else {
          await applyLifecycleEvents(tx, { providerId: provider.id, appId: provider.app_id }, event.events, {
            actor: `webhook:${provider.id}`,
            deliveryId: event.id,
            providerEventType: event.type,
            now,
          });
          outcome.applied++;
        }
      }
      if (outcome.applied) await ctx.invalidation.bump(tx, provider.app_id);
      return outcome;
    });
  }

  async function receive(req: FastifyRequest<Params>): Promise<Record<string, number>> {
    const { providerId } = req.params;
    const hook = await loadEnabled(providerId);
    req.webhookScheme = hook.adapter.scheme;
    const request: WebhookRequest = { headers: req.headers, body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) };
    await authenticate(hook, request);
    if (!isJsonContentType(req.headers['content-type'])) {
      await refuse(providerId, new AlterError('unsupported_media_type', 'webhook body must be JSON (Content-Type: application/json)'), 'unsupported content type');
    }
    let events: ProviderEvent[];
    try {
      events = hook.adapter.normalise(request, hook.provider);
    } catch (err) {
      if (!(err instanceof MalformedDelivery)) throw err;
      return refuse(providerId, new AlterError('invalid_request', `webhook body not understood: ${err.message}`, { field: null }), err.message);
    }
    const outcome = await apply(hook, events);
    if (!outcome) {
      // Rotated or disabled between the check and the transaction: the delivery's secret is gone.
      const still = await findWebhook(db, providerId);
      if (!still?.enabled) throw new AlterError('not_found', 'no enabled webhook at this address');
      return refuse(providerId, new AlterError('webhook_unauthenticated', 'webhook delivery refused: the secret was rotated'), 'the secret was rotated');
    }
    if (outcome.applied) ctx.invalidation.notifyLocal(hook.provider.app_id);
    pruneOccasionally();
    return { received: events.length, ...outcome };
  }

  await app.register((scope, _opts, done) => {
    scope.decorateRequest('webhookScheme', null);
    scope.addHook('onResponse', (req, reply, next) => {
      if (req.method === 'POST') webhookDeliveries.inc({ scheme: req.webhookScheme ?? 'unknown', outcome: deliveryOutcome(reply.statusCode) });
      next();
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, next) => next(null, body));
    scope.addHook('onError', async (req, _reply, err) => {
      const { providerId } = req.params as { providerId?: string };
      if (providerId && (err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') await recordRefusal(providerId, 'body larger than 1 MiB');
    });

    scope.post<Params>('/v1/webhooks/idp/:providerId', { bodyLimit: WEBHOOK_BODY_LIMIT }, receive);

    // Okta verifies a new event hook once with a GET carrying a challenge to echo back.
    scope.get<Params>('/v1/webhooks/idp/:providerId', async (req) => {
      const hook = await loadEnabled(req.params.providerId);
      if (hook.adapter.scheme !== 'okta_event_hook') throw new AlterError('not_found', 'only Okta event hooks answer a verification GET');
      await authenticate(hook, { headers: req.headers, body: Buffer.alloc(0) });
      const challenge = req.headers['x-okta-verification-challenge'];
      if (typeof challenge !== 'string' || !challenge) throw new AlterError('invalid_request', 'missing X-Okta-Verification-Challenge header', { field: null });
      return { verification: challenge };
    });
    done();
  });
}
