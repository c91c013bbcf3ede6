// POST /v1/apps/:appId/identity-providers/:providerId/test-token (`current` for the app's
// provider): every check of resolution against a saved provider, reported one by one; nothing is
// written. `discover --sample-token` runs the same report against a discovered configuration.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext, ServerSettings } from '../context.js';
import { authenticate, requireApp, requireScope } from '../auth.js';
import { parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { findProviderByApp, findProviderById } from '../../store/repos/identity-providers.js';
import { policyFor } from '../../idp/verify.js';
import { issuerKeys, type JwksLog } from '../../idp/jwks-cache.js';
import { checkToken, type TokenReport } from '../../idp/token-checks.js';
import type { ClaimMappings } from '../../idp/identity.js';

const TestTokenBody = z.strictObject({ token: z.string() });

// A fresh provider's default; the saved row's own value applies to saved providers.
const DISCOVERY_LEEWAY_SECONDS = 60;

/** The contract's object: valid, checks, identity (the reason stays internal). */
function publicReport(report: TokenReport): Omit<TokenReport, 'reason'> {
  return { valid: report.valid, checks: report.checks, identity: report.identity };
}

export interface DiscoveredConfiguration {
  issuer: string;
  jwks_uri: string;
  document: Record<string, unknown>;
  claim_mappings: ClaimMappings & { user_id_claim: string };
  audience?: string | null;
}

/** `discover --sample-token`: the token against what discovery found, before anything is saved. */
export async function sampleTokenReport(settings: ServerSettings, log: JwksLog, found: DiscoveredConfiguration, token: string): Promise<Omit<TokenReport, 'reason'>> {
  const policy = policyFor({
    issuer: found.issuer,
    audience: found.audience ?? null,
    user_id_claim: found.claim_mappings.user_id_claim,
    clock_leeway_seconds: DISCOVERY_LEEWAY_SECONDS,
    discovery: JSON.stringify(found.document),
  });
  const keys = issuerKeys(found, { allowPrivate: settings.allowPrivateIssuers, log });
  return publicReport(await checkToken(token, policy, found.claim_mappings, keys));
}

export function testTokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  app.post<{ Params: { appId: string; providerId: string } }>('/v1/apps/:appId/identity-providers/:providerId/test-token', { config: { body: TestTokenBody } }, async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_identity_providers:read');
    const { appId, providerId } = req.params;
    await requireApp(db, p, appId);
    const { token } = parseBody(TestTokenBody, req.body);
    const row = providerId === 'current' ? await findProviderByApp(db, appId) : await findProviderById(db, providerId);
    if (!row || row.app_id !== appId) {
      throw new AlterError('not_found', providerId === 'current' ? `app ${appId} has no identity provider (create one with \`alter idp create --issuer-url URL\`)` : `identity provider ${providerId} not found in app ${appId}`);
    }
    const keys = issuerKeys(row, { allowPrivate: ctx.settings.allowPrivateIssuers, log: ctx.log });
    const standing = (externalId: string): Promise<{ status: string } | undefined> =>
      db.selectFrom('users').select('status').where('provider_id', '=', row.id).where('external_id', '=', externalId).executeTakeFirst();
    return publicReport(await checkToken(token, policyFor(row), row, keys, standing));
  });
}
