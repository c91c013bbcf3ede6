// One adapter per webhook scheme: how a delivery is authenticated, how its body becomes lifecycle
// events, and what an operator is told to configure at the provider. The receiver and the
// management routes only ever talk to this interface.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderClaims, ProviderEvent } from './events.js';

export const WEBHOOK_SCHEMES = ['svix', 'auth0_log_stream', 'okta_event_hook', 'authorization_header'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  /** The raw bytes as received: signatures are computed over exactly these. */
  body: Buffer;
}

export interface WebhookAdapter {
  scheme: WebhookScheme;
  /** Provider event types that act; `status` lists them so operators subscribe to the right ones. */
  expectedEvents: readonly string[];
  /** Makes a secret when none is given; null when the provider issues it (Svix endpoints do). */
  generateSecret: (() => string) | null;
  /** Why a secret given at enable/rotate is unusable, or null when it is fine. */
  checkSecret(secret: string): string | null;
  /** Null when the delivery is authentic, else the rejection reason (never containing the secret). */
  authenticate(req: WebhookRequest, secret: string): string | null;
  /** Parses an authentic body; throws MalformedDelivery when it cannot be understood. */
  normalise(req: WebhookRequest, provider: ProviderClaims): ProviderEvent[];
  /** One or two lines: where to paste the URL and secret, which events to subscribe to. */
  nextStep(url: string): string;
}

export function isWebhookScheme(value: string): value is WebhookScheme {
  return (WEBHOOK_SCHEMES as readonly string[]).includes(value);
}
