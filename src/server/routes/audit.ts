import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp, requireScope } from '../auth.js';
import { limitParam } from '../validate.js';
import { listAudit } from '../../store/repos/audit.js';

const MAX_LIMIT = 1000;

export function auditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  // Newest first, a page at a time: pass next_cursor back as `cursor` for the next (older) page.
  // A token restricted to an app sees only that app's events.
  app.get<{ Querystring: { app_id?: string; limit?: string; cursor?: string } }>('/v1/audit', async (req) => {
    const p = await authenticate(db, req);
    requireScope(p, 'dashboard_audit:read');
    const limit = limitParam(req.query.limit, 100, MAX_LIMIT);
    const appId = req.query.app_id ?? p.appId;
    if (appId) await requireApp(db, p, appId);
    const { rows, next_cursor } = await listAudit(db, appId, { limit, cursor: req.query.cursor });
    return { items: rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as unknown) : null })), next_cursor };
  });
}
