// Shared set-up of the SDK tests: a real alter server, a fixture issuer and an app trusting it
// (with an audience), the SDK as an app backend installs it (the built package, by its name),
// and small HTTP helpers: a counting proxy in front of alter, and a listener on port 0.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { onCleanup } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';

export const AUDIENCE = 'https://api.example.com';

export interface SdkWorld {
  server: TestServer;
  issuer: FixtureIssuer;
  app: ResolveApp;
  /** A token of the fixture issuer for AUDIENCE (one hour unless `exp` is given). */
  mint(claims: Record<string, unknown>): Promise<string>;
  /** Deprovisions the user with this external id (who must have resolved once). */
  deprovision(externalId: string): Promise<void>;
  /** The URL of an alter server that was started and then stopped. */
  stoppedUrl: string;
}

export async function startSdkWorld(): Promise<SdkWorld> {
  const server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const issuer = await startFixtureIssuer();
  const app = await createResolveApp(server, { issuer_url: issuer.issuer, audience: AUDIENCE, group_claim: 'groups', role_claim: 'roles' });
  const stopped = await startTestServer();
  await stopped.server.close();
  return {
    server,
    issuer,
    app,
    stoppedUrl: stopped.url,
    mint: (claims) => issuer.mint({ aud: AUDIENCE, ...claims }),
    async deprovision(externalId) {
      const found = await server.api('GET', `/v1/apps/${app.appId}/users?external_id=${encodeURIComponent(externalId)}`);
      const user = (found.body.items ?? found.body.data)?.[0];
      if (!user) throw new Error(`no user ${externalId}: ${JSON.stringify(found.body)}`);
      const res = await server.api('POST', `/v1/apps/${app.appId}/users/${user.id}/deprovision`);
      if (res.status !== 200) throw new Error(`deprovision: ${res.status} ${JSON.stringify(res.body)}`);
    },
  };
}

/** Listens on 127.0.0.1:0; closed (with its open connections) at cleanup. */
export async function listen(server: Server): Promise<string> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A plain HTTP server answering every request with `handler`. */
export function stubServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  return listen(createServer(handler));
}

export interface CountingProxy {
  url: string;
  /** Requests forwarded, by path (without the query). */
  count(path: string): number;
}

/** Forwards every request to `target` and counts them: how a test sees whether the SDK asked alter. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const url = await stubServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length') headers[k] = v;
      void fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(async (up) => {
        const body = Buffer.from(await up.arrayBuffer());
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
        res.end(body);
      });
    });
  });
  return { url, count: (path) => counts.get(path) ?? 0 };
}

/** A request to a framework server under test; the body parsed as JSON when it is. */
export async function get(url: string, token?: string): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}
