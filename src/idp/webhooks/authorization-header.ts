// The static-secret schemes (Auth0 log streams, Okta event hooks, the generic body): the provider
// sends the configured value in `Authorization`, optionally behind `Bearer `. Nothing is signed, so
// the comparison must be constant-time and the secret should be long and random: generated ones
// are; a given one is accepted as the operator chose it (the CLI warns when it is short).
import { newSecret, safeEqual } from '../../crypto/tokens.js';
import type { WebhookRequest } from './scheme.js';

/** 32 random bytes, URL-safe, so it can be pasted into any provider's header field. */
export function generateHeaderSecret(): string {
  return newSecret('alter_whk_');
}

export function checkHeaderSecret(secret: string): string | null {
  if (secret.length === 0) return 'must not be empty (omit it to have one generated)';
  if (!/^[\x21-\x7e]+$/.test(secret)) return 'must be printable ASCII without spaces (it travels in an HTTP header)';
  return null;
}

export function authenticateHeader(req: WebhookRequest, secret: string): string | null {
  const header = req.headers.authorization;
  if (!header) return 'missing Authorization header';
  const bare = header.replace(/^Bearer\s+/i, '');
  // Both comparisons always run, so timing says nothing about which form was sent.
  const exact = safeEqual(header, secret);
  const stripped = safeEqual(bare, secret);
  return exact || stripped ? null : 'Authorization header does not match the webhook secret';
}
