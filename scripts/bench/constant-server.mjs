#!/usr/bin/env node
// The yardstick of benchmark 2: a fastify endpoint that answers a constant, built with the same
// server options as alter's (logger, body limit, proxy and close settings: dist/server/app.js) and
// the same per-route log level as resolve. It parses the same JSON body, then answers {"ok":true}.
import Fastify from 'fastify';
import { DEFAULT_BODY_LIMIT } from '../../dist/server/app.js';
import { loggerOptions } from '../../dist/server/logger.js';
import { RESOLVE_ROUTE_OPTIONS } from '../../dist/server/routes/resolve.js';

const app = Fastify({ logger: loggerOptions(), bodyLimit: DEFAULT_BODY_LIMIT, trustProxy: false, return503OnClosing: true, forceCloseConnections: 'idle' });
const answer = JSON.stringify({ ok: true });
app.post('/constant', RESOLVE_ROUTE_OPTIONS, async (_req, reply) => reply.type('application/json; charset=utf-8').send(answer));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${app.server.address().port}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
