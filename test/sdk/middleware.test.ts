// The Express, Fastify and Hono middleware of @alter/sdk, each in a real framework server on port 0,
// with real HTTP requests, in front of a real alter server: the identity on the request, RFC 6750
// challenges for missing and refused tokens, 503 when alter is down, 500 for a bad runtime key.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { createAlter, type Alter } from '@alter/sdk';
import { alterMiddleware } from '@alter/sdk/express';
import { alterPlugin } from '@alter/sdk/fastify';
import { alterHono, type AlterEnv } from '@alter/sdk/hono';
import { cleanupAll, onCleanup } from '../helpers/env.js';
import { get, listen, startSdkWorld, type SdkWorld } from './setup.js';

after(cleanupAll);

let w: SdkWorld;
let alter: Alter;
let down: Alter;
let badKey: Alter;
const configErrors: Error[] = [];

before(async () => {
  w = await startSdkWorld();
  alter = createAlter({ baseUrl: w.server.url, runtimeKey: w.app.runtimeKey });
  down = createAlter({ baseUrl: w.stoppedUrl, runtimeKey: w.app.runtimeKey });
  badKey = createAlter({ baseUrl: w.server.url, runtimeKey: 'alter_key_revoked' });
});

const now = (): number => Math.floor(Date.now() / 1000);

/** One framework server exposing /required, /optional, /down and /badkey; answers `{ alter }` (what the handler saw). */
type Serve = (clients: { alter: Alter; down: Alter; badKey: Alter }) => Promise<string>;

const frameworks: Record<string, Serve> = {
  async express(c) {
    const app = express();
    const seen = (req: express.Request, res: express.Response): void => {
      res.json({ alter: req.alter ?? null });
    };
    const onError = (err: Error): number => configErrors.push(err);
    app.get('/required', alterMiddleware(c.alter), seen);
    app.get('/optional', alterMiddleware(c.alter, { required: false }), seen);
    app.get('/down', alterMiddleware(c.down, { onError }), seen);
    app.get('/badkey', alterMiddleware(c.badKey, { onError }), seen);
    return listen(createServer(app));
  },
  async fastify(c) {
    const app = Fastify();
    onCleanup(() => app.close());
    const onError = (err: Error): number => configErrors.push(err);
    const route = (path: string, opts: Parameters<typeof alterPlugin>[1]): void => {
      void app.register((scope, _opts, done) => {
        void scope.register(alterPlugin, opts);
        scope.get(path, (req, reply) => reply.send({ alter: req.alter }));
        done();
      });
    };
    route('/required', { alter: c.alter, required: true });
    route('/optional', { alter: c.alter, required: false });
    route('/down', { alter: c.down, onError });
    route('/badkey', { alter: c.badKey, onError });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  },
  async hono(c) {
    const app = new Hono<AlterEnv>();
    const onError = (err: Error): number => configErrors.push(err);
    app.use('/required', alterHono(c.alter, { required: true }));
    app.use('/optional', alterHono(c.alter, { required: false }));
    app.use('/down', alterHono(c.down, { onError }));
    app.use('/badkey', alterHono(c.badKey, { onError }));
    for (const path of ['/required', '/optional', '/down', '/badkey']) app.get(path, (ctx) => ctx.json({ alter: ctx.get('alter') }));
    const listener = getRequestListener(app.fetch);
    return listen(createServer((req, res) => void listener(req, res)));
  },
};

for (const [name, serve] of Object.entries(frameworks)) {
  describe(name, () => {
    let url: string;
    before(async () => {
      url = await serve({ alter, down, badKey });
    });

    test('a valid token: the handler sees the identity', async () => {
      const res = await get(`${url}/required`, await w.mint({ sub: `${name}-ada`, email: 'ada@example.com', groups: ['eng'] }));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.alter.user.external_id, `${name}-ada`);
      assert.match(res.body.alter.user.id, /^usr_/);
      assert.deepEqual(res.body.alter.groups, ['eng']);
      assert.deepEqual(res.body.alter.roles, []);
      assert.equal(res.body.alter.claims.sub, `${name}-ada`);
      assert.equal(res.body.alter.ok, undefined);
    });

    test('no token: 401 with a bare Bearer challenge when required; null identity when optional', async () => {
      const required = await get(`${url}/required`);
      assert.equal(required.status, 401);
      assert.equal(required.headers.get('www-authenticate'), 'Bearer');
      assert.equal(required.body.error.code, 'missing_token');
      const optional = await get(`${url}/optional`);
      assert.equal(optional.status, 200);
      assert.deepEqual(optional.body, { alter: null });
      const optionalWithToken = await get(`${url}/optional`, await w.mint({ sub: `${name}-opt` }));
      assert.equal(optionalWithToken.body.alter.user.external_id, `${name}-opt`);
    });

    test('expired, wrong-audience and deprovisioned tokens: 401 invalid_token with the reason (required or not)', async () => {
      const cases: Array<[string, string]> = [
        [await w.mint({ sub: `${name}-ada`, exp: now() - 3600 }), 'expired'],
        [await w.mint({ sub: `${name}-ada`, aud: 'https://elsewhere.example.com' }), 'audience_mismatch'],
      ];
      const gone = `${name}-gone`;
      assert.equal((await get(`${url}/required`, await w.mint({ sub: gone }))).status, 200);
      await w.deprovision(gone);
      cases.push([await w.mint({ sub: gone }), 'deprovisioned']);
      for (const [token, reason] of cases) {
        for (const path of ['/required', '/optional']) {
          const res = await get(`${url}${path}`, token);
          assert.equal(res.status, 401, `${path} ${reason}: ${JSON.stringify(res.body)}`);
          assert.equal(res.headers.get('www-authenticate'), `Bearer error="invalid_token", error_description="${reason}"`);
          assert.equal(res.body.error.code, 'invalid_token');
          assert.equal(res.body.error.reason, reason);
        }
      }
    });

    test('alter stopped: 503, never a 200', async () => {
      const before = configErrors.length;
      const res = await get(`${url}/down`, await w.mint({ sub: `${name}-ada` }));
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'unavailable');
      assert.equal(configErrors[before]?.name, 'AlterUnavailableError');
    });

    test('a bad runtime key: 500 (the backend\'s bug), reported to onError', async () => {
      const before = configErrors.length;
      const res = await get(`${url}/badkey`, await w.mint({ sub: `${name}-ada` }));
      assert.equal(res.status, 500);
      assert.equal(res.body.error.code, 'internal');
      assert.equal(configErrors[before]?.name, 'AlterConfigError');
    });
  });
}
