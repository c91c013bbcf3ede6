// SCIM provisioning management (scope dashboard_identity_providers:directory): enable (a bearer
// token shown once, stored hashed), rotate (the old token stops at once), disable (the endpoints
// answer 404) and status (request figures and how many users and groups SCIM manages).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authoriseProvider, type Principal } from '../auth.js';
import { parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { newSecret, SCIM_TOKEN_PREFIX, sha256Hex } from '../../crypto/tokens.js';
import { recordAudit } from '../../store/repos/audit.js';
import type { ProviderRow } from '../../store/repos/identity-providers.js';
import { findScimConfig, scimCounts } from '../../store/repos/scim.js';
import { scimBaseUrl } from '../../directory/scim/base-url.js';

const EnableBody = z.strictObject({
  match_attribute: z.enum(['externalId', 'userName']).optional(),
  group_name_attribute: z.enum(['displayName', 'externalId']).optional(),
});

type Params = { Params: { appId: string; providerId: string } };

export function scimAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;
  const base = '/v1/apps/:appId/identity-providers/:providerId/scim';
  const authorise = (req: FastifyRequest<Params>): Promise<{ principal: Principal; provider: ProviderRow }> =>
    authoriseProvider(db, req, 'dashboard_identity_providers:directory', req.params.appId, req.params.providerId);

  function shownOnce(provider: ProviderRow, token: string, matchAttribute: string): Record<string, unknown> {
    return { provider_id: provider.id, enabled: true, base_url: scimBaseUrl(ctx.settings.publicUrl, provider.id), token, match_attribute: matchAttribute };
  }

  app.post<Params>(`${base}/enable`, { config: { body: EnableBody } }, async (req, reply) => {
    const { principal, provider } = await authorise(req);
    const body = parseBody(EnableBody, req.body ?? {});
    if (await findScimConfig(db, provider.id)) throw new AlterError('conflict', `SCIM is already enabled for provider ${provider.id} (alter idp scim rotate issues a new token)`);
    const token = newSecret(SCIM_TOKEN_PREFIX);
    const now = new Date().toISOString();
    const matchAttribute = body.match_attribute ?? 'externalId';
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('scim_configs')
        .values({ provider_id: provider.id, app_id: provider.app_id, token_hash: sha256Hex(token), match_attribute: matchAttribute, group_name_attribute: body.group_name_attribute ?? 'displayName', token_set_at: now, last_request_at: null, last_error: null, created_at: now })
        .execute();
      await recordAudit(tx, { actor: principal.actor, action: 'scim.enable', appId: provider.app_id, target: provider.id, details: { match_attribute: matchAttribute } });
    });
    void reply.header('cache-control', 'no-store');
    return shownOnce(provider, token, matchAttribute);
  });

  app.post<Params>(`${base}/rotate`, async (req, reply) => {
    const { principal, provider } = await authorise(req);
    const config = await findScimConfig(db, provider.id);
    if (!config) throw new AlterError('not_found', `SCIM is not enabled for provider ${provider.id}`);
    const token = newSecret(SCIM_TOKEN_PREFIX);
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('scim_configs').set({ token_hash: sha256Hex(token), token_set_at: new Date().toISOString() }).where('provider_id', '=', provider.id).execute();
      await recordAudit(tx, { actor: principal.actor, action: 'scim.rotate', appId: provider.app_id, target: provider.id });
    });
    void reply.header('cache-control', 'no-store');
    return shownOnce(provider, token, config.match_attribute);
  });

  app.post<Params>(`${base}/disable`, async (req) => {
    const { principal, provider } = await authorise(req);
    await db.transaction().execute(async (tx) => {
      const res = await tx.deleteFrom('scim_configs').where('provider_id', '=', provider.id).executeTakeFirst();
      if (Number(res.numDeletedRows)) await recordAudit(tx, { actor: principal.actor, action: 'scim.disable', appId: provider.app_id, target: provider.id });
    });
    return { provider_id: provider.id, enabled: false, base_url: scimBaseUrl(ctx.settings.publicUrl, provider.id) };
  });

  app.get<Params>(`${base}/status`, async (req) => {
    const { provider } = await authorise(req);
    const config = await findScimConfig(db, provider.id);
    const { users, groups } = await scimCounts(db, provider.id);
    return {
      provider_id: provider.id,
      enabled: !!config,
      base_url: scimBaseUrl(ctx.settings.publicUrl, provider.id),
      match_attribute: config?.match_attribute ?? null,
      group_name_attribute: config?.group_name_attribute ?? null,
      token_set_at: config?.token_set_at ?? null,
      requests: config?.requests ?? 0,
      errors: config?.errors ?? 0,
      last_request_at: config?.last_request_at ?? null,
      last_error: config?.last_error ?? null,
      users,
      groups,
    };
  });
}
