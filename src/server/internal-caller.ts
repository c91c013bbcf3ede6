// The web console calls the management API in-process (Fastify's inject), as the personal access
// token its session was opened with, without holding that token: it names the token's id in a
// header that carries this process's own random secret. The secret never leaves the process, so a
// request from outside that sets the header is refused like a wrong token.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AlterError } from '../errors.js';
import { safeEqual } from '../crypto/tokens.js';

export const INTERNAL_CALLER_HEADER = 'x-alter-console-caller';
const PROCESS_SECRET = randomBytes(32).toString('base64url');

/** The header value that makes an injected request act as token `tokenId`. */
export function internalCallerHeader(tokenId: string): Record<string, string> {
  return { [INTERNAL_CALLER_HEADER]: `${PROCESS_SECRET}.${tokenId}` };
}

/** The token id an in-process caller acts as; null when the header is absent; throws when it is forged. */
export function internalCallerTokenId(req: FastifyRequest): string | null {
  const value = req.headers[INTERNAL_CALLER_HEADER];
  if (value === undefined) return null;
  const [secret, tokenId] = typeof value === 'string' ? value.split('.', 2) : [];
  if (!secret || !tokenId || !safeEqual(secret, PROCESS_SECRET)) throw new AlterError('unauthenticated', 'token is unknown');
  return tokenId;
}
