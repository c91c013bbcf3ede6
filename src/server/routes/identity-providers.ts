// Identity-provider management: discover (saves nothing), create, show, update, delete.
// Create and update do all their talking to the provider (discovery, wallet credential check)
// before their transaction opens, so that a failure anywhere leaves the store as it was, and the
// transaction itself is short. "One provider per app" is the unique constraint on app_id, not a
// check-then-insert: of two concurrent creates exactly one commits.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp, requireScope, type Principal } from '../auth.js';
import { parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { newId } from '../../crypto/tokens.js';
import { isUniqueViolation, nowIso } from '../../store/database.js';
import { recordAudit } from '../../store/repos/audit.js';
import {
  deleteProvider,
  findProviderByApp,
  findProviderById,
  findWebhookEnabled,
  insertProvider,
  updateProvider,
  type ProviderRow,
} from '../../store/repos/identity-providers.js';
import { discover, type Discovery } from '../../idp/discovery.js';
import { probeWalletCredentials, type ProbeResult } from '../../idp/wallet-probe.js';
import { providerView, walletCallbackUrl, type ProviderView } from '../../idp/provider-view.js';
import { sameIssuerButSlash } from '../../idp/issuer-url.js';
import { sampleTokenReport } from './test-token.js';
import { issuerKeys } from '../../idp/jwks-cache.js';

const DEFAULT_CLOCK_LEEWAY_SECONDS = 60;

const claimName = z.string().trim().min(1, 'must not be empty').max(500);
const optionalText = z.string().trim().min(1, 'must not be empty').max(2000).nullable().optional();

export const DiscoverBody = z.strictObject({
  issuer_url: z.string().min(1, 'must not be empty').max(2000),
  app_id: z.string().min(1).optional(),
  /** `discover --sample-token`: the token is checked against the discovered configuration. */
  sample_token: z.string().optional(),
});

const ProviderFields = {
  issuer_url: z.string().min(1, 'must not be empty').max(2000),
  audience: optionalText,
  user_id_claim: claimName.optional(),
  group_claim: claimName.nullable().optional(),
  role_claim: claimName.nullable().optional(),
  wallet_client_id: optionalText,
  wallet_client_secret: z.string().min(1, 'must not be empty').max(4000).nullable().optional(),
};
const CreateBody = z.strictObject(ProviderFields);
const UpdateBody = z.strictObject({ ...ProviderFields, issuer_url: ProviderFields.issuer_url.optional() });
type UpdateInput = z.infer<typeof UpdateBody>;

/** Provider responses of create/update also carry notices for the operator (the CLI prints them on stderr). */
type WithNotices = ProviderView & { notices: string[] };

type AppParams = { Params: { appId: string } };
type ProviderParams = { Params: { appId: string; providerId: string } };

export function identityProviderRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;
  const allowPrivate = ctx.settings.allowPrivateIssuers;

  const view = async (row: ProviderRow): Promise<ProviderView> => providerView(row, await findWebhookEnabled(db, row.id), ctx.settings);

  const probe = (document: Record<string, unknown>, clientId: string, clientSecret: string): Promise<ProbeResult> =>
    probeWalletCredentials({ document, clientId, clientSecret, redirectUri: walletCallbackUrl(ctx.settings), allowPrivate });

  /** The provider `providerId` of app `appId`, after the scope and app checks. */
  async function loadProvider(req: FastifyRequest<ProviderParams>, scope: Parameters<typeof requireScope>[1]): Promise<{ p: Principal; row: ProviderRow }> {
    const p = await authenticate(db, req);
    requireScope(p, scope);
    await requireApp(db, p, req.params.appId);
    const row = await findProviderById(db, req.params.providerId);
    if (!row || row.app_id !== req.params.appId) throw new AlterError('not_found', `identity provider ${req.params.providerId} not found in app ${req.params.appId}`);
    return { p, row };
  }

  app.post('/v1/identity-providers/discover', { config: { body: DiscoverBody } }, async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_identity_providers:create');
    const body = parseBody(DiscoverBody, req.body);
    if (body.app_id) await requireApp(db, p, body.app_id);
    const found = await discover(body.issuer_url, { allowPrivate });
    if (body.sample_token === undefined) return found.view;
    return { ...found.view, sample_token: await sampleTokenReport(ctx.settings, ctx.log, { ...found.view, document: found.document }, body.sample_token) };
  });

  app.post<AppParams>('/v1/apps/:appId/identity-providers', { config: { body: CreateBody } }, async (req, reply) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_identity_providers:create');
    const { appId } = req.params;
    await requireApp(db, p, appId);
    const body = parseBody(CreateBody, req.body);
    const clientId = body.wallet_client_id ?? null;
    const clientSecret = body.wallet_client_secret ?? null;
    if (!clientId !== !clientSecret) {
      const missing = clientId ? 'wallet_client_secret' : 'wallet_client_id';
      throw new AlterError('invalid_request', `${missing}: the wallet client id and secret go together: give both or neither`, { field: missing });
    }
    // Saves a discovery round-trip in the common case; the constraint still decides races.
    const existing = await findProviderByApp(db, appId);
    if (existing) throw alreadyConfigured(appId, existing.id);

    const discovery = await discover(body.issuer_url, { allowPrivate });
    const wallet = clientId && clientSecret ? await probe(discovery.document, clientId, clientSecret) : null;

    const id = newId('idp');
    const now = nowIso();
    const suggested = discovery.view.claim_mappings;
    const row: ProviderRow = {
      id,
      app_id: appId,
      provider_type: discovery.view.provider_type,
      detected_as: discovery.view.detected_as,
      issuer: discovery.view.issuer,
      jwks_uri: discovery.view.jwks_uri,
      discovery: JSON.stringify(discovery.document),
      audience: body.audience ?? null,
      user_id_claim: body.user_id_claim ?? suggested.user_id_claim,
      group_claim: body.group_claim !== undefined ? body.group_claim : suggested.group_claim,
      role_claim: body.role_claim !== undefined ? body.role_claim : suggested.role_claim,
      claim_mappings_locked: 0,
      clock_leeway_seconds: DEFAULT_CLOCK_LEEWAY_SECONDS,
      wallet_client_id: clientId,
      // The provider id is the associated data: a sealed secret copied to another row will not open.
      wallet_client_secret: clientSecret ? ctx.sealer.seal(clientSecret, id) : null,
      wallet_verification: wallet?.verification ?? null,
      webhook_scheme: discovery.view.webhook_scheme,
      created_at: now,
      updated_at: now,
    };
    try {
      await db.transaction().execute(async (tx) => {
        await insertProvider(tx, row);
        await recordAudit(tx, {
          actor: p.actor,
          action: 'identity_provider.create',
          appId,
          target: id,
          details: { issuer: row.issuer, provider_type: row.provider_type, detected_as: row.detected_as, wallet: wallet?.verification ?? null },
        });
        await ctx.invalidation.bump(tx, appId);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const winner = await findProviderByApp(db, appId);
        throw alreadyConfigured(appId, winner?.id);
      }
      throw err;
    }
    ctx.invalidation.notifyLocal(appId);
    // Resolution's key cache is filled now, in the background, not by the first end user's request.
    void issuerKeys(row, { allowPrivate, log: ctx.log }).refresh();
    const notices = [...discovery.view.warnings.map((w) => `warning: ${w.message}`), ...(wallet?.notice ? [wallet.notice] : [])];
    const created: WithNotices = { ...(await view(row)), notices };
    return reply.status(201).send(created);
  });

  app.get<AppParams>('/v1/apps/:appId/identity-providers/current', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_identity_providers:read');
    await requireApp(db, p, req.params.appId);
    const row = await findProviderByApp(db, req.params.appId);
    if (!row) throw new AlterError('not_found', `app ${req.params.appId} has no identity provider (create one with \`alter idp create --issuer-url URL\`)`);
    return view(row);
  });

  app.get<ProviderParams>('/v1/apps/:appId/identity-providers/:providerId', async (req) => {
    const { row } = await loadProvider(req, 'dashboard_identity_providers:read');
    return view(row);
  });

  app.patch<ProviderParams>('/v1/apps/:appId/identity-providers/:providerId', { config: { body: UpdateBody } }, async (req) => {
    const { p, row } = await loadProvider(req, 'dashboard_identity_providers:create');
    const body = parseBody(UpdateBody, req.body);
    if (!Object.values(body).some((v) => v !== undefined)) throw new AlterError('invalid_request', 'nothing to update: give at least one field', { field: null });
    const changes = await planUpdate(row, body);
    const notices = changes.notices;
    const { appId } = req.params;
    await db.transaction().execute(async (tx) => {
      await updateProvider(tx, row.id, { ...changes.set, updated_at: nowIso() });
      await recordAudit(tx, { actor: p.actor, action: 'identity_provider.update', appId, target: row.id, details: { changed: Object.keys(changes.set) } });
      await ctx.invalidation.bump(tx, appId);
    });
    ctx.invalidation.notifyLocal(appId);
    const updated = await findProviderById(db, row.id);
    if (!updated) throw new AlterError('not_found', `identity provider ${row.id} was deleted meanwhile`);
    const result: WithNotices = { ...(await view(updated)), notices };
    return result;
  });

  app.delete<ProviderParams>('/v1/apps/:appId/identity-providers/:providerId', async (req) => {
    const { p, row } = await loadProvider(req, 'dashboard_identity_providers:delete');
    const { appId } = req.params;
    const deleted = await db.transaction().execute(async (tx) => {
      const ok = await deleteProvider(tx, row.id);
      if (ok) {
        await recordAudit(tx, { actor: p.actor, action: 'identity_provider.delete', appId, target: row.id, details: { issuer: row.issuer } });
        await ctx.invalidation.bump(tx, appId);
      }
      return ok;
    });
    if (!deleted) throw new AlterError('not_found', `identity provider ${row.id} not found in app ${appId}`);
    ctx.invalidation.notifyLocal(appId);
    return { id: row.id, app_id: appId, deleted: true };
  });

  /**
   * The column changes an update makes, after any discovery and credential check it needs. Fields
   * equal to what is stored are not changes (so re-sending locked mappings unchanged is fine).
   */
  async function planUpdate(row: ProviderRow, body: UpdateInput): Promise<{ set: Partial<ProviderRow>; notices: string[] }> {
    const set: Partial<ProviderRow> = {};
    const notices: string[] = [];

    const mappings = { user_id_claim: body.user_id_claim, group_claim: body.group_claim, role_claim: body.role_claim };
    for (const [field, value] of Object.entries(mappings) as Array<[keyof typeof mappings, string | null | undefined]>) {
      if (value !== undefined && value !== row[field]) Object.assign(set, { [field]: value });
    }
    const changedMappings = Object.keys(set);
    if (changedMappings.length && row.claim_mappings_locked === 1) {
      throw new AlterError('locked', `the claim mappings are locked since users have resolved through them; ${changedMappings.join(', ')} cannot change (delete and re-create the provider to start over)`, {
        field: changedMappings[0],
      });
    }
    if (body.audience !== undefined && body.audience !== row.audience) set.audience = body.audience;

    let discovery: Discovery | null = null;
    const issuerChanged = body.issuer_url !== undefined && body.issuer_url !== row.issuer && !sameIssuerButSlash(body.issuer_url, row.issuer);
    if (issuerChanged) {
      discovery = await discover(body.issuer_url as string, { allowPrivate });
      Object.assign(set, {
        issuer: discovery.view.issuer,
        jwks_uri: discovery.view.jwks_uri,
        discovery: JSON.stringify(discovery.document),
        provider_type: discovery.view.provider_type,
        detected_as: discovery.view.detected_as,
        webhook_scheme: discovery.view.webhook_scheme,
      });
      notices.push(...discovery.view.warnings.map((w) => `warning: ${w.message}`));
    }

    const clientId = body.wallet_client_id ?? null;
    const clientSecret = body.wallet_client_secret ?? null;
    if (clientId && !clientSecret && clientId !== row.wallet_client_id) {
      throw new AlterError('invalid_request', 'wallet_client_secret: a new wallet client id needs its secret', { field: 'wallet_client_secret' });
    }
    if (clientSecret && !clientId && !row.wallet_client_id) {
      throw new AlterError('invalid_request', 'wallet_client_id: the wallet client id and secret go together: give both or neither', { field: 'wallet_client_id' });
    }
    const walletId = clientId ?? row.wallet_client_id;
    const storedSecret = row.wallet_client_secret;
    // New credentials, or the old ones at a new provider: check them before anything is saved.
    if (walletId && (clientSecret || (issuerChanged && storedSecret))) {
      const secret = clientSecret ?? ctx.sealer.open(storedSecret ?? '', row.id);
      const document = discovery?.document ?? (JSON.parse(row.discovery) as Record<string, unknown>);
      const result = await probe(document, walletId, secret);
      Object.assign(set, {
        wallet_client_id: walletId,
        wallet_client_secret: ctx.sealer.seal(secret, row.id),
        wallet_verification: result.verification,
      });
      if (result.notice) notices.push(result.notice);
    }
    return { set, notices };
  }
}

function alreadyConfigured(appId: string, providerId: string | undefined): AlterError {
  return new AlterError('conflict', `app ${appId} already has an identity provider${providerId ? ` (${providerId})` : ''}; update or delete it instead`, {
    provider_id: providerId ?? null,
  });
}
