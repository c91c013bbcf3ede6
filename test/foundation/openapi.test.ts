// GET /openapi.json: a valid OpenAPI 3.1 document (checked by a maintained validator) that lists
// every JSON route the server registers, with the request schemas the routes validate with and the
// three security schemes. It is generated from the routes, so it cannot drift: this test fails
// when a route is added without being described.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

let server: TestServer;
let doc: any;
before(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/openapi.json`);
  assert.equal(res.status, 200);
  doc = await res.json();
});

test('the document validates as OpenAPI 3.1', async () => {
  assert.equal(doc.openapi, '3.1.0');
  const result = await new Validator().validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
});

test('every registered JSON route is described (health probes and HTML pages aside)', () => {
  // printRoutes draws a tree, four columns a level: rebuild each route's full path from it.
  const registered: string[] = [];
  const stack: string[] = [];
  for (const line of server.server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = Math.floor((at - 1) / 4);
    const m = /^(\S+)(?: \(([A-Z, ]+)\))?/.exec(line.slice(at + 3))!;
    stack.length = depth;
    stack.push(m[1]!);
    const path = stack.join('').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of m[2]?.split(', ') ?? []) if (method !== 'HEAD' && method !== 'OPTIONS') registered.push(`${method} ${path}`);
  }
  const skipped = /^(GET|POST) \/(healthz|readyz|openapi\.json|wallet\/|console(\/|$))/;
  const documented = new Set(Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
  const missing = registered.filter((r) => !skipped.test(r) && !documented.has(r));
  assert.ok(registered.length > 50, `${registered.length} routes seen`);
  assert.deepEqual(missing, []);
});

test('request schemas are the ones the routes validate with; security follows the route', () => {
  const create = doc.paths['/v1/apps'].post;
  assert.deepEqual(create.requestBody.content['application/json'].schema.required, ['name']);
  assert.equal(create.requestBody.content['application/json'].schema.additionalProperties, false);
  assert.deepEqual(create.security, [{ personalAccessToken: [] }]);
  assert.deepEqual(doc.paths['/v1/identity/resolve'].post.security, [{ runtimeKey: [] }]);
  assert.deepEqual(doc.paths['/v1/directory/users/{userId}'].get.security, [{ runtimeKey: [] }]);
  assert.deepEqual(doc.paths['/scim/v2/idp/{providerId}/Users'].post.security, [{ scimToken: [] }]);
  assert.deepEqual(doc.paths['/v1/webhooks/idp/{providerId}'].post.security, []);
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['personalAccessToken', 'runtimeKey', 'scimToken']);
  assert.ok(doc.paths['/v1/apps/{appId}/identity-providers'].post.requestBody.content['application/json'].schema.properties.issuer_url);
});

test('the routes app backends call describe their answers (the SDK’s types are generated from them)', () => {
  const resolve = doc.paths['/v1/identity/resolve'].post.responses;
  assert.deepEqual(resolve['200'].content['application/json'].schema.required.sort(), ['claims', 'groups', 'roles', 'user']);
  assert.ok(resolve['401'].content['application/json'].schema.properties.error.properties.reason.enum.includes('deprovisioned'));
  const members = doc.paths['/v1/directory/groups/{name}/members'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(members.required.sort(), ['data', 'next_cursor']);
});
