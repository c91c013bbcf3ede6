import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp, requireScope } from '../auth.js';
import { parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { SCOPES } from '../../scopes.js';
import { findToken, insertToken, listTokens, revokeToken, type TokenRow } from '../../store/repos/tokens.js';
import { recordAudit } from '../../store/repos/audit.js';

const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

const CreateToken = z.strictObject({
  scopes: z.array(z.enum(SCOPES, { error: (i) => `unknown scope ${JSON.stringify(i.input)}; known: ${SCOPES.join(', ')}` })).min(1, 'at least one scope'),
  app_id: z.string().min(1).nullish(),
  name: z.string().trim().min(1).max(200).nullish(),
  expires_in_seconds: z.number().int().positive().max(MAX_LIFETIME_SECONDS).nullish(),
});

/** A token as listed: never its hash. */
export function publicToken(row: TokenRow): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    app_id: row.app_id,
    created_at: row.created_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    last_used_at: row.last_used_at,
  };
}

export function tokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  app.post('/v1/tokens', { config: { body: CreateToken } }, async (req, reply) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_tokens:admin');
    const body = parseBody(CreateToken, req.body);
    // No escalation: a new token holds at most the creator's scopes and is at most as restricted.
    const missing = body.scopes.filter((s) => !p.scopes.includes(s));
    if (missing.length) throw new AlterError('forbidden', `cannot grant scopes this token lacks: ${missing.join(', ')}`, { scope: missing[0] });
    const appId = body.app_id ?? p.appId;
    if (p.appId && appId !== p.appId) throw new AlterError('forbidden', `this token is restricted to app ${p.appId}`);
    if (appId) await requireApp(db, p, appId);
    const expiresAt = body.expires_in_seconds ? new Date(Date.now() + body.expires_in_seconds * 1000).toISOString() : null;
    const { row, token } = await db.transaction().execute(async (tx) => {
      const created = await insertToken(tx, { name: body.name ?? null, scopes: [...new Set(body.scopes)], appId: appId ?? null, createdBy: p.tokenId, expiresAt });
      await recordAudit(tx, { actor: p.actor, action: 'token.create', appId, target: created.row.id, details: { scopes: body.scopes, expires_at: expiresAt } });
      return created;
    });
    return reply.status(201).send({ ...publicToken(row), token });
  });

  app.get('/v1/tokens', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_tokens:admin');
    return { items: (await listTokens(db, p.appId)).map(publicToken) };
  });

  app.post<{ Params: { tokenId: string } }>('/v1/tokens/:tokenId/revoke', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_tokens:admin');
    const row = await findToken(db, req.params.tokenId);
    if (!row || (p.appId && row.app_id !== p.appId)) throw new AlterError('not_found', `token ${req.params.tokenId} not found`);
    await db.transaction().execute(async (tx) => {
      await revokeToken(tx, row.id);
      await recordAudit(tx, { actor: p.actor, action: 'token.revoke', appId: row.app_id, target: row.id });
    });
    const after = await findToken(db, row.id);
    return publicToken(after ?? row);
  });
}
