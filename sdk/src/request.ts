// The end user's token of an incoming request: `Authorization: Bearer <jwt>` (RFC 6750 §2.1), from
// a Fetch Request or a Node IncomingMessage.
import type { IncomingMessage } from 'node:http';

export type IncomingRequest = Request | IncomingMessage;

function authorizationOf(req: IncomingRequest): string | undefined {
  const headers: unknown = req.headers;
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get('authorization') ?? undefined;
  const value = (headers as IncomingMessage['headers'] | undefined)?.authorization;
  return typeof value === 'string' ? value : undefined;
}

/** The bearer token of a request, or null when it has none (no header, another scheme, or an empty token). */
export function bearerToken(req: IncomingRequest): string | null {
  const header = authorizationOf(req);
  if (!header) return null;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header.trim());
  return match?.[1] ?? null;
}
