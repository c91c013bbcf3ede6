// Shared set-up of the resolve tests: an app with a runtime key and an identity provider created
// through the management API (so discovery, the create route and the invalidation all run for
// real), and a `resolve` call as an app backend makes it.
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';

export const AUDIENCE = 'https://api.example.com';

export interface ProviderInput {
  issuer_url: string;
  audience?: string;
  user_id_claim?: string;
  group_claim?: string | null;
  role_claim?: string | null;
}

export interface ResolveApp {
  appId: string;
  providerId: string | null;
  runtimeKey: string;
  keyId: string;
  resolve(body: unknown, opts?: { key?: string | null; raw?: boolean; contentType?: string }): Promise<{ status: number; body: any }>;
}

export async function resolveCall(url: string, key: string | null, body: unknown, opts: { raw?: boolean; contentType?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${url}/v1/identity/resolve`, { method: 'POST', headers, body: opts.raw ? (body as string) : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** A new app with a runtime key and (when `provider` is given) an identity provider. */
export async function createResolveApp(server: TestServer, provider?: ProviderInput): Promise<ResolveApp> {
  const app = await server.api('POST', '/v1/apps', { name: 'resolve test' });
  if (app.status !== 201) throw new Error(`app create: ${JSON.stringify(app.body)}`);
  const appId = app.body.id as string;
  const key = await server.api('POST', `/v1/apps/${appId}/keys`, { name: 'backend' });
  if (key.status !== 201) throw new Error(`key mint: ${JSON.stringify(key.body)}`);
  let providerId: string | null = null;
  if (provider) {
    const created = await server.api('POST', `/v1/apps/${appId}/identity-providers`, provider);
    if (created.status !== 201) throw new Error(`provider create: ${created.status} ${JSON.stringify(created.body)}`);
    providerId = created.body.id as string;
  }
  const runtimeKey = key.body.key as string;
  return {
    appId,
    providerId,
    runtimeKey,
    keyId: key.body.id as string,
    resolve: (body, opts = {}) => resolveCall(server.url, opts.key === undefined ? runtimeKey : opts.key, body, opts),
  };
}

export interface ResolveWorld {
  server: TestServer;
  issuer: FixtureIssuer;
  app: ResolveApp;
}

/** A test server that may reach loopback issuers, a fixture issuer, and an app trusting it. */
export async function startResolveWorld(issuerOptions: Parameters<typeof startFixtureIssuer>[0], provider: Omit<ProviderInput, 'issuer_url'>): Promise<ResolveWorld> {
  const server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const issuer = await startFixtureIssuer(issuerOptions);
  const app = await createResolveApp(server, { issuer_url: issuer.issuer, ...provider });
  return { server, issuer, app };
}
