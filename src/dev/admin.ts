// The dev provider's admin routes, for `alter dev token` and `alter dev provider rotate-keys`:
//   POST /_alter/dev/token        {"user","audience"?,"expires_in"?,"claims"?} → {"access_token","token_type","expires_in"}
//   POST /_alter/dev/rotate-keys  → {"kids":[…]}
// They exist only when the provider was started with an admin secret (the CLI writes it to a state
// file readable by its owner alone), answer only loopback clients even when the provider listens
// elsewhere, and compare the bearer secret in constant time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from './loopback.js';
import { safeEqual } from '../crypto/tokens.js';
import { AlterError } from '../errors.js';

export const ADMIN_PREFIX = '/_alter/dev/';
const MAX_BODY_BYTES = 16_384;

export interface AdminActions {
  mint(sub: string, opts: { audience?: string; expiresInSeconds?: number; claims?: Record<string, unknown> }): Promise<string>;
  rotate(): Promise<string[]>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message } });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new AlterError('payload_too_large', 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AlterError('invalid_request', 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !v) throw new AlterError('invalid_request', `${field} must be a non-empty string`);
  return v;
}

/** Handles an admin request; returns false when the path is not an admin route (oidc-provider's). */
export async function handleAdmin(req: IncomingMessage, res: ServerResponse, secret: string, actions: AdminActions): Promise<boolean> {
  const path = (req.url ?? '').split('?')[0]!;
  if (!path.startsWith(ADMIN_PREFIX)) return false;
  if (!isLoopbackHost(req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) {
    fail(res, 403, 'forbidden', 'admin routes answer loopback clients only');
    return true;
  }
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ') || !safeEqual(auth.slice(7), secret)) {
    fail(res, 401, 'unauthenticated', 'missing or wrong admin secret');
    return true;
  }
  if (req.method !== 'POST') {
    fail(res, 405, 'invalid_request', 'use POST');
    return true;
  }
  try {
    if (path === `${ADMIN_PREFIX}token`) {
      const body = await readJson(req);
      const user = optionalString(body, 'user');
      if (!user) throw new AlterError('invalid_request', 'user is required');
      const expiresIn = body.expires_in;
      if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0)) {
        throw new AlterError('invalid_request', 'expires_in must be a positive whole number of seconds');
      }
      const claims = body.claims;
      if (claims !== undefined && (typeof claims !== 'object' || claims === null || Array.isArray(claims))) {
        throw new AlterError('invalid_request', 'claims must be a JSON object');
      }
      const token = await actions.mint(user, {
        audience: optionalString(body, 'audience'),
        expiresInSeconds: expiresIn,
        claims: claims as Record<string, unknown> | undefined,
      });
      send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn ?? null });
    } else if (path === `${ADMIN_PREFIX}rotate-keys`) {
      await readJson(req);
      send(res, 200, { kids: await actions.rotate() });
    } else {
      fail(res, 404, 'not_found', `no admin route ${path}`);
    }
  } catch (err) {
    if (err instanceof AlterError) fail(res, err.status, err.code, err.message);
    else if (err instanceof SyntaxError) fail(res, 400, 'invalid_request', 'body is not JSON');
    else fail(res, 500, 'internal', 'admin request failed');
  }
  return true;
}
