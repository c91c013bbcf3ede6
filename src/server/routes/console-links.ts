// POST /v1/console/links: a one-time sign-in URL for the web console (`alter console`), valid five
// minutes, for the token that asks. The session it opens acts as that token, so any valid token may
// ask; `app_id` (which the token must be allowed on) only says where the console opens.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp } from '../auth.js';
import { parseBody } from '../validate.js';
import { ConsoleSessions } from '../../console/session.js';

const LinkBody = z.strictObject({ app_id: z.string().min(1).max(200).optional() });

export function consoleLinkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const sessions = new ConsoleSessions(ctx.store.db, ctx.sealer);
  app.post('/v1/console/links', { config: { body: LinkBody } }, async (req, reply) => {
    const p = await authenticate(ctx.store.db, req);
    const body = parseBody(LinkBody, req.body ?? {});
    if (body.app_id) await requireApp(ctx.store.db, p, body.app_id);
    const { code, expiresAt } = await sessions.createLink(p.tokenId, body.app_id ?? null);
    const url = `${ctx.settings.publicUrl}/console/sign-in/link?code=${encodeURIComponent(code)}`;
    return reply.status(201).header('cache-control', 'no-store').send({ url, expires_at: expiresAt });
  });
}
