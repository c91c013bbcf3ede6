import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp, requireScope } from '../auth.js';
import { parseBody } from '../validate.js';
import { AlterError } from '../../errors.js';
import { insertApp, listApps } from '../../store/repos/apps.js';
import { recordAudit } from '../../store/repos/audit.js';

const CreateApp = z.strictObject({ name: z.string().trim().min(1, 'must not be empty').max(200) });

export function appRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  app.post('/v1/apps', { config: { body: CreateApp } }, async (req, reply) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_apps:write');
    if (p.appId) throw new AlterError('forbidden', `this token is restricted to app ${p.appId} and cannot create apps`);
    const body = parseBody(CreateApp, req.body);
    const row = await db.transaction().execute(async (tx) => {
      const created = await insertApp(tx, body.name);
      await recordAudit(tx, { actor: p.actor, action: 'app.create', appId: created.id, target: created.id, details: { name: created.name } });
      return created;
    });
    return reply.status(201).send(row);
  });

  app.get('/v1/apps', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_apps:read');
    return { items: await listApps(db, p.appId) };
  });

  app.get<{ Params: { appId: string } }>('/v1/apps/:appId', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_apps:read');
    return requireApp(db, p, req.params.appId);
  });
}
