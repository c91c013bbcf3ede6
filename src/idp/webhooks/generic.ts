// The generic body (scheme `authorization_header`) for custom OIDC providers and alter's own dev
// provider: `Authorization: <secret>` and {"events":[{"id","type","user_id","group","kind",
// "occurred_at"}]} in alter's own event names; a single event object is accepted too.
import { MalformedDelivery, isObject, nonEmptyString, parseJson, toIso, type LifecycleEvent, type ProviderEvent } from './events.js';
import { authenticateHeader, checkHeaderSecret, generateHeaderSecret } from './authorization-header.js';
import type { WebhookAdapter, WebhookRequest } from './scheme.js';

const USER_TYPES = ['user.deleted', 'user.blocked', 'user.unblocked', 'user.updated'] as const;
const MEMBERSHIP_TYPES = ['membership.added', 'membership.removed'] as const;
const GENERIC_TYPES = [...USER_TYPES, ...MEMBERSHIP_TYPES, 'group.deleted'] as const;

function required(event: Record<string, unknown>, field: string, n: number): string {
  const v = nonEmptyString(event[field]);
  if (!v) throw new MalformedDelivery(`event ${n}: "${field}" must be a non-empty string`);
  return v;
}

function genericEvent(event: Record<string, unknown>, n: number): LifecycleEvent[] {
  const type = event.type as string;
  const occurredAt = toIso(event.occurred_at);
  if (event.occurred_at !== undefined && !occurredAt) throw new MalformedDelivery(`event ${n}: "occurred_at" must be an ISO date`);
  const kind = event.kind ?? 'group';
  if (kind !== 'group' && kind !== 'role') throw new MalformedDelivery(`event ${n}: "kind" must be "group" or "role"`);
  if (type === 'group.deleted') return [{ type, group: { kind, names: [required(event, 'group', n)] }, occurredAt }];
  const user = { externalIds: [required(event, 'user_id', n)] };
  if (type === 'user.updated') return [{ type, user, email: nonEmptyString(event.email), name: nonEmptyString(event.name), occurredAt }];
  if ((MEMBERSHIP_TYPES as readonly string[]).includes(type)) {
    return [{ type: type as (typeof MEMBERSHIP_TYPES)[number], user, group: { kind, names: [required(event, 'group', n)] }, occurredAt }];
  }
  if ((USER_TYPES as readonly string[]).includes(type)) return [{ type: type as 'user.deleted' | 'user.blocked' | 'user.unblocked', user, occurredAt }];
  return [];
}

function normaliseGeneric(req: WebhookRequest): ProviderEvent[] {
  const payload = parseJson(req.body.toString('utf8'));
  const list: unknown[] | null = isObject(payload) && Array.isArray(payload.events) ? payload.events : isObject(payload) && 'type' in payload ? [payload] : null;
  if (!list) throw new MalformedDelivery('body must be {"events":[…]} or one event object');
  return list.map((event, i) => {
    if (!isObject(event)) throw new MalformedDelivery(`event ${i + 1} is not a JSON object`);
    const id = required(event, 'id', i + 1);
    const type = required(event, 'type', i + 1);
    return { id, type, events: genericEvent(event, i + 1) };
  });
}

export const genericAdapter: WebhookAdapter = {
  scheme: 'authorization_header',
  expectedEvents: GENERIC_TYPES,
  generateSecret: generateHeaderSecret,
  checkSecret: checkHeaderSecret,
  authenticate: authenticateHeader,
  normalise: normaliseGeneric,
  nextStep: (url) =>
    `Have the provider POST JSON to ${url} with "Authorization: <secret>" and a body {"events":[{"id","type","user_id","group"}]};\n` +
    `event types: ${GENERIC_TYPES.join(', ')}.`,
};
