import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp, requireScope } from '../auth.js';
import { parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { insertRuntimeKey, listRuntimeKeys, revokeRuntimeKey, type RuntimeKeyRow } from '../../store/repos/tokens.js';
import { recordAudit } from '../../store/repos/audit.js';

const MintKey = z.strictObject({ name: z.string().trim().min(1, 'must not be empty').max(200) });

function publicKey(row: RuntimeKeyRow): Record<string, unknown> {
  return { id: row.id, app_id: row.app_id, name: row.name, created_at: row.created_at, revoked_at: row.revoked_at, last_used_at: row.last_used_at };
}

export function keyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  app.post<{ Params: { appId: string } }>('/v1/apps/:appId/keys', { config: { body: MintKey } }, async (req, reply) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_keys:write');
    await requireApp(db, p, req.params.appId);
    const body = parseBody(MintKey, req.body);
    const { row, key } = await db.transaction().execute(async (tx) => {
      const minted = await insertRuntimeKey(tx, { appId: req.params.appId, name: body.name, createdBy: p.tokenId });
      await recordAudit(tx, { actor: p.actor, action: 'key.mint', appId: req.params.appId, target: minted.row.id, details: { name: body.name } });
      return minted;
    });
    return reply.status(201).send({ ...publicKey(row), key });
  });

  app.get<{ Params: { appId: string } }>('/v1/apps/:appId/keys', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_keys:read');
    await requireApp(db, p, req.params.appId);
    return { items: (await listRuntimeKeys(db, req.params.appId)).map(publicKey) };
  });

  app.post<{ Params: { appId: string; keyId: string } }>('/v1/apps/:appId/keys/:keyId/revoke', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_keys:write');
    await requireApp(db, p, req.params.appId);
    const { appId, keyId } = req.params;
    const revoked = await db.transaction().execute(async (tx) => {
      const ok = await revokeRuntimeKey(tx, appId, keyId);
      if (ok) {
        await recordAudit(tx, { actor: p.actor, action: 'key.revoke', appId, target: keyId });
        // Resolution caches runtime keys per process: every process must forget this one.
        await ctx.invalidation.bump(tx, appId);
      }
      return ok;
    });
    if (!revoked) {
      const exists = (await listRuntimeKeys(db, appId)).find((k) => k.id === keyId);
      if (!exists) throw new AlterError('not_found', `key ${keyId} not found in app ${appId}`);
    } else {
      ctx.invalidation.notifyLocal(appId);
    }
    const row = (await listRuntimeKeys(db, appId)).find((k) => k.id === keyId);
    return row ? publicKey(row) : {};
  });
}
