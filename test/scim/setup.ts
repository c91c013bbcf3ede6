// Shared set-up of the SCIM tests: an app whose identity provider trusts a loopback issuer, SCIM
// enabled through the management API, and a SCIM client speaking as Okta and Entra ID do.
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.js';
import type { FixtureIssuer } from '../helpers/fixture-issuer.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimAnswer {
  status: number;
  body: any;
  contentType: string | null;
}

export interface ScimWorld {
  app: ResolveApp;
  baseUrl: string;
  token: string;
  adminPath: string;
  scim(method: string, path: string, body?: unknown, opts?: { token?: string | null; raw?: string; contentType?: string }): Promise<ScimAnswer>;
  /** Resolves a token of `sub` (with `groups`); the HTTP status and body. */
  resolve(sub: string, groups?: string[]): Promise<{ status: number; body: any }>;
}

let jti = 0;

export async function scimWorld(server: TestServer, issuer: FixtureIssuer, enable: Record<string, string> = {}): Promise<ScimWorld> {
  const app = await createResolveApp(server, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const adminPath = `/v1/apps/${app.appId}/identity-providers/${app.providerId}/scim`;
  const enabled = await server.api('POST', `${adminPath}/enable`, enable);
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  const world: ScimWorld = {
    app,
    baseUrl: enabled.body.base_url,
    token: enabled.body.token,
    adminPath,
    async scim(method, path, body, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? world.token : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined || opts.raw !== undefined) headers['content-type'] = opts.contentType ?? 'application/scim+json';
      const res = await fetch(world.baseUrl + path, { method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, contentType: res.headers.get('content-type') };
    },
    async resolve(sub, groups = []) {
      return app.resolve({ token: await issuer.mint({ sub, groups, jti: `scim-${++jti}` }) });
    },
  };
  return world;
}

export function patch(...operations: Array<Record<string, unknown>>): Record<string, unknown> {
  return { schemas: [PATCH_SCHEMA], Operations: operations };
}

export function assertScimError(a: ScimAnswer, status: number, scimType?: string): void {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.match(a.contentType ?? '', /application\/scim\+json/);
  assert.deepEqual(a.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(a.body.status, String(status));
  if (scimType) assert.equal(a.body.scimType, scimType);
}
