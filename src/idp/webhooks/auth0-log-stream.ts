// Auth0 log streams (Custom Webhook): every tenant log event, as a JSON array, JSON lines or one
// JSON object, behind a static Authorization header. Two kinds act: `sdu` (a user was deleted) and
// `sapi` Management API calls that delete a user or set `blocked`. In `sapi` events `data.user_id`
// is the admin who made the call; the affected user is in the request path or the response body.
import { MalformedDelivery, isObject, nonEmptyString, toIso, type LifecycleEvent, type ProviderEvent } from './events.js';
import { authenticateHeader, checkHeaderSecret, generateHeaderSecret } from './authorization-header.js';
import type { WebhookAdapter, WebhookRequest } from './scheme.js';

const USER_PATH = /^\/api\/v2\/users\/([^/?#]+)\/?$/;

/** The three content formats an Auth0 stream can be set to, told apart by their first character. */
export function parseAuth0Body(text: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) throw new MalformedDelivery('body is empty');
  try {
    const whole = JSON.parse(trimmed) as unknown;
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    // Not one JSON document: JSON lines, one log event per line.
  }
  return trimmed
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new MalformedDelivery(`body is neither JSON nor JSON lines (line ${i + 1}: ${(err as Error).message})`);
      }
    });
}

function affectedUser(request: Record<string, unknown>, response: Record<string, unknown>): string | null {
  const m = USER_PATH.exec(typeof request.path === 'string' ? request.path : '');
  if (!m) return null;
  try {
    // Decoding can yield a NUL (%00), which no stored id may hold.
    return nonEmptyString(decodeURIComponent(m[1]!));
  } catch {
    return nonEmptyString(isObject(response.body) ? response.body.user_id : undefined);
  }
}

function managementApiEvents(data: Record<string, unknown>, occurredAt: string | null): LifecycleEvent[] {
  const details = isObject(data.details) ? data.details : {};
  const request = isObject(details.request) ? details.request : {};
  const response = isObject(details.response) ? details.response : {};
  // A refused Management API call changed nothing at Auth0, so it changes nothing here.
  const status = typeof response.statusCode === 'number' ? response.statusCode : 200;
  if (status < 200 || status > 299) return [];
  const userId = affectedUser(request, response);
  if (!userId) return [];
  const user = { externalIds: [userId] };
  const method = typeof request.method === 'string' ? request.method.toLowerCase() : '';
  if (method === 'delete') return [{ type: 'user.deleted', user, occurredAt }];
  const blocked = isObject(request.body) ? request.body.blocked : undefined;
  if (method === 'patch' && blocked === true) return [{ type: 'user.blocked', user, occurredAt }];
  if (method === 'patch' && blocked === false) return [{ type: 'user.unblocked', user, occurredAt }];
  return [];
}

function normaliseLogEvent(item: unknown, index: number): ProviderEvent {
  if (!isObject(item)) throw new MalformedDelivery(`log event ${index + 1} is not a JSON object`);
  const data = isObject(item.data) ? item.data : item;
  const type = nonEmptyString(data.type) ?? 'unknown';
  const occurredAt = toIso(data.date);
  let events: LifecycleEvent[] = [];
  if (type === 'sdu') {
    const userId = nonEmptyString(data.user_id);
    if (!userId) throw new MalformedDelivery(`log event ${index + 1} (sdu) has no user_id`);
    events = [{ type: 'user.deleted', user: { externalIds: [userId] }, occurredAt }];
  } else if (type === 'sapi') {
    events = managementApiEvents(data, occurredAt);
  }
  const id = nonEmptyString(item.log_id) ?? nonEmptyString(data.log_id);
  if (!id && events.length) throw new MalformedDelivery(`log event ${index + 1} (${type}) has no log_id`);
  return { id: id ?? '', type, events };
}

export const auth0Adapter: WebhookAdapter = {
  scheme: 'auth0_log_stream',
  expectedEvents: ['sdu', 'sapi'],
  generateSecret: generateHeaderSecret,
  checkSecret: checkHeaderSecret,
  authenticate: authenticateHeader,
  normalise: (req: WebhookRequest) => parseAuth0Body(req.body.toString('utf8')).map(normaliseLogEvent),
  nextStep: (url) =>
    `Auth0 Dashboard → Monitoring → Streams → Create Stream → Custom Webhook: Payload URL ${url}, Authorization Token = the secret, Content Type application/json;\n` +
    'filter at least the categories "Management API - Success" (sapi) and "User/Behavioral - Success" (sdu), or send all.',
};
