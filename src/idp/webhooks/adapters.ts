// The adapter of each webhook scheme, by the scheme name stored on the provider row.
import { AlterError } from '../../errors.js';
import type { WebhookAdapter, WebhookScheme } from './scheme.js';
import { isWebhookScheme } from './scheme.js';
import { svixAdapter } from './svix.js';
import { auth0Adapter } from './auth0-log-stream.js';
import { oktaAdapter } from './okta-event-hook.js';
import { genericAdapter } from './generic.js';

const ADAPTERS: Record<WebhookScheme, WebhookAdapter> = {
  svix: svixAdapter,
  auth0_log_stream: auth0Adapter,
  okta_event_hook: oktaAdapter,
  authorization_header: genericAdapter,
};

export function adapterFor(scheme: string): WebhookAdapter {
  if (!isWebhookScheme(scheme)) throw new AlterError('internal', `unknown webhook scheme ${scheme}`);
  return ADAPTERS[scheme];
}
