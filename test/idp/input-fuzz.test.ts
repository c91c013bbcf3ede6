// Fuzzing of the inputs that reach alter from outside and are not covered elsewhere: `--input`
// JSON of `idp create|update` (checked by the CLI before any request), provider bodies at the API,
// and resolve bodies. Never a crash, never a 5xx, never a half-saved provider; a clear 4xx or usage
// error. Seeded and reproducible; INPUT_FUZZ_RUNS raises the count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { AlterError } from '../../src/errors.js';
import type { CliContext } from '../../src/cli/context.js';
import { readProviderBody } from '../../src/cli/commands/idp/provider-input.js';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';

after(cleanupAll);

const RUNS = Number(process.env.INPUT_FUZZ_RUNS ?? 200);
const SEED = 76437644;

// Issuer URLs that fail fast without leaving this machine: junk, non-https, loopback (refused here,
// since this server does not allow private issuers), .well-known addresses.
const issuerUrls = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('http://127.0.0.1:1', 'https://127.0.0.1:1/', 'ftp://x', 'https://[::1]/', 'https://10.0.0.1/.well-known/openid-configuration', 'javascript:alert(1)', ''));
const providerish = fc.record(
  {
    issuer_url: fc.oneof(issuerUrls, fc.jsonValue({ maxDepth: 2 })),
    audience: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null), fc.integer()),
    user_id_claim: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('\u0000'), fc.array(fc.string())),
    group_claim: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)),
    wallet_client_id: fc.string({ maxLength: 10 }),
    wallet_client_secret: fc.oneof(fc.string({ maxLength: 10 }), fc.constant({})),
    __proto__: fc.constant({ polluted: true }),
    unknown_key: fc.string(),
  },
  { requiredKeys: [] },
);
const bodies = fc.oneof(providerish, fc.jsonValue({ maxDepth: 3 }));

test('--input: any JSON is a ProviderBody or a usage error (exit 2), never another failure', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(bodies.map((b) => JSON.stringify(b) ?? 'null'), fc.string({ maxLength: 60 })), fc.constantFrom<'create' | 'update'>('create', 'update'), async (text, mode) => {
      const stdin = new PassThrough();
      stdin.end(text);
      try {
        const body = await readProviderBody({ input: '-' }, { stdin } as unknown as CliContext, mode);
        assert.equal(typeof body, 'object');
        assert.equal(Object.getPrototypeOf(body), Object.prototype);
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
      } catch (err) {
        assert.ok(err instanceof AlterError, `not an AlterError: ${String(err)}`);
        assert.equal(err.exitCode, 2, `${err.code}: ${err.message}`);
      }
    }),
    { numRuns: RUNS * 5, seed: SEED },
  );
});

let server: TestServer;
let app: ResolveApp;
before(async () => {
  // Private issuers are not allowed here, so no body can make the server fetch anything.
  server = await startTestServer();
  app = await createResolveApp(server);
});

test('provider bodies at the API: a 4xx, never a 5xx, and no provider saved', async () => {
  const appId = app.appId;
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const res = await server.api('POST', `/v1/apps/${appId}/identity-providers`, body);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  assert.equal((await server.api('GET', `/v1/apps/${appId}/identity-providers/current`)).status, 404, 'nothing was half-saved');
});

test('resolve bodies: 400 or 401, never a 5xx', async () => {
  const raw = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
    fc.record({ token: fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 2 })) }).map((v) => JSON.stringify(v)),
    fc.constantFrom('{"token":"a.b.c"}', '{"token":"eyJhbGciOiJub25lIn0.e30."}', '{"token":"\\u0000"}', '{"token":' + '['.repeat(5000) + ']'.repeat(5000) + '}'),
  );
  await fc.assert(
    fc.asyncProperty(raw, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (body, contentType) => {
      const res = await app.resolve(body, { raw: true, contentType });
      assert.ok(res.status === 400 || res.status === 401, `${res.status} for ${JSON.stringify(body).slice(0, 200)}: ${JSON.stringify(res.body)}`);
    }),
    { numRuns: RUNS, seed: SEED },
  );
});
