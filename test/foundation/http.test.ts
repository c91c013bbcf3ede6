// The management API's handling of bad requests: every failure is a JSON error with a stable code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { recordAudit } from '../../src/store/repos/audit.js';

after(cleanupAll);

describe('HTTP errors', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });

  async function raw(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(s.url + path, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: await res.json() };
  }

  test('a body over the limit is answered 413 and the client reads it, even while still sending megabytes; so is a 401 given before the body is read', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      for (const [path, size, want] of [['/v1/webhooks/idp/idp_nothing', 5_000_000, 413], ['/v1/apps', 8_500_000, 413], ['/v1/identity/resolve', 5_000_000, 401]] as const) {
        try {
          const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(size) });
          await res.text();
          outcomes.push(res.status === want ? 'ok' : `${path}: ${res.status}`);
        } catch (err) {
          outcomes.push(`${path}: ${String((err as { cause?: { code?: string } }).cause?.code ?? err)}`);
        }
      }
    }
    assert.deepEqual(outcomes.filter((o) => o !== 'ok'), [], 'every client read its answer (no EPIPE or reset)');
  });

  test('/readyz answers 200 while the store answers; /healthz does not ask the store', async () => {
    const res = await fetch(`${s.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready' });
  });

  test('/healthz answers 200', async () => {
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('malformed JSON is 400 invalid_request', async () => {
    const r = await raw('/v1/apps', '{"name": ');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_request');
    assert.match(r.body.error.message, /JSON/);
  });

  test('a wrong field type is 400 naming the field', async () => {
    const r = await raw('/v1/apps', JSON.stringify({ name: 42 }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'name');
    assert.match(r.body.error.message, /^name: /);
  });

  test('an unknown field is 400 naming it', async () => {
    const r = await raw('/v1/apps', JSON.stringify({ name: 'x', colour: 'red' }));
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /colour/);
  });

  test('a body that is not an object is 400', async () => {
    const r = await raw('/v1/apps', '[1,2]');
    assert.equal(r.status, 400);
  });

  test('an oversize body is 413 and creates nothing', async () => {
    const before = (await s.api('GET', '/v1/apps')).body.items.length;
    const r = await raw('/v1/apps', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'payload_too_large');
    assert.equal((await s.api('GET', '/v1/apps')).body.items.length, before);
  });

  test('a non-JSON content type is 415', async () => {
    const r = await raw('/v1/apps', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 415);
  });

  test('no token is 401 unauthenticated; an unknown route is 404 JSON', async () => {
    const res = await fetch(`${s.url}/v1/apps`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as any).error.code, 'unauthenticated');
    const nf = await fetch(`${s.url}/v1/nothing-here`);
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as any).error.code, 'not_found');
  });

  test('the audit log lists events newest first in the order they were written, even within a millisecond', async () => {
    const app = (await s.api('POST', '/v1/apps', { name: 'ordered' })).body;
    for (let i = 0; i < 30; i++) await recordAudit(s.server.store.db, { actor: 'test', action: `step.${i}`, appId: app.id });
    const items = (await s.api('GET', `/v1/audit?app_id=${app.id}&limit=30`)).body.items;
    assert.deepEqual(items.map((e: any) => e.action), Array.from({ length: 30 }, (_, i) => `step.${29 - i}`));
  });

  test('every change is in the audit log with who and when', async () => {
    const created = (await s.api('POST', '/v1/apps', { name: 'audited' })).body;
    const key = (await s.api('POST', `/v1/apps/${created.id}/keys`, { name: 'k' })).body;
    const events = (await s.api('GET', `/v1/audit?app_id=${created.id}`)).body.items;
    const actions = events.map((e: any) => e.action);
    assert.deepEqual(actions.sort(), ['app.create', 'key.mint']);
    for (const e of events) {
      assert.match(e.actor, /^token:tok_/);
      assert.ok(!Number.isNaN(Date.parse(e.at)));
    }
    assert.ok(!JSON.stringify(events).includes(key.key), 'the key never reaches the audit log');
  });
});
