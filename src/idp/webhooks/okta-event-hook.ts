// Okta event hooks: `{"data":{"events":[…]}}` behind a static Authorization header, plus a one-time
// GET verification challenge. Targets are read from `target[]` by type; a user is matched by both
// their Okta id and their login, since the user-id claim may carry either (`uid` or `sub`).
import { MalformedDelivery, isObject, nonEmptyString, parseJson, toIso, type GroupRef, type LifecycleEvent, type ProviderEvent, type UserRef } from './events.js';
import { authenticateHeader, checkHeaderSecret, generateHeaderSecret } from './authorization-header.js';
import type { WebhookAdapter, WebhookRequest } from './scheme.js';

const USER_EVENTS: Record<string, 'user.deleted' | 'user.blocked' | 'user.unblocked'> = {
  'user.lifecycle.deactivate': 'user.deleted',
  'user.lifecycle.delete.initiated': 'user.deleted',
  'user.lifecycle.suspend': 'user.blocked',
  'user.lifecycle.reactivate': 'user.unblocked',
  'user.lifecycle.unsuspend': 'user.unblocked',
};

const MEMBERSHIP_EVENTS: Record<string, 'membership.added' | 'membership.removed'> = {
  'group.user_membership.add': 'membership.added',
  'group.user_membership.remove': 'membership.removed',
};

function targets(event: Record<string, unknown>, type: string): Array<Record<string, unknown>> {
  return (Array.isArray(event.target) ? event.target : []).filter((t): t is Record<string, unknown> => isObject(t) && t.type === type);
}

function identifiers(target: Record<string, unknown>, ...keys: string[]): string[] {
  return [...new Set(keys.map((k) => nonEmptyString(target[k])).filter((v): v is string => v !== null))];
}

function oktaEvents(type: string, event: Record<string, unknown>): LifecycleEvent[] {
  const occurredAt = toIso(event.published);
  const users: UserRef[] = targets(event, 'User').map((t) => ({ externalIds: identifiers(t, 'id', 'alternateId') })).filter((u) => u.externalIds.length);
  // Own members only: an eventType of "constructor" would find Object.prototype's.
  const userEvent = Object.hasOwn(USER_EVENTS, type) ? USER_EVENTS[type] : undefined;
  if (userEvent) return users.map((user) => ({ type: userEvent, user, occurredAt }));
  const membershipEvent = Object.hasOwn(MEMBERSHIP_EVENTS, type) ? MEMBERSHIP_EVENTS[type] : undefined;
  if (membershipEvent) {
    const groups: GroupRef[] = targets(event, 'UserGroup').map((t) => ({ kind: 'group' as const, names: identifiers(t, 'displayName', 'id') })).filter((g) => g.names.length);
    return users.flatMap((user) => groups.map((group) => ({ type: membershipEvent, user, group, occurredAt })));
  }
  return [];
}

function normaliseOkta(req: WebhookRequest): ProviderEvent[] {
  const payload = parseJson(req.body.toString('utf8'));
  const list = isObject(payload) && isObject(payload.data) ? payload.data.events : undefined;
  if (!Array.isArray(list)) throw new MalformedDelivery('body is not an Okta event hook delivery (no data.events array)');
  return list.map((event, i) => {
    if (!isObject(event)) throw new MalformedDelivery(`event ${i + 1} is not a JSON object`);
    const type = nonEmptyString(event.eventType) ?? 'unknown';
    const outcome = isObject(event.outcome) ? event.outcome.result : undefined;
    // A failed attempt (outcome FAILURE, DENY…) did not happen at Okta.
    const events = outcome === undefined || outcome === 'SUCCESS' ? oktaEvents(type, event) : [];
    const id = nonEmptyString(event.uuid);
    if (!id && events.length) throw new MalformedDelivery(`event ${i + 1} (${type}) has no uuid`);
    return { id: id ?? '', type, events };
  });
}

export const oktaAdapter: WebhookAdapter = {
  scheme: 'okta_event_hook',
  expectedEvents: [...Object.keys(USER_EVENTS), ...Object.keys(MEMBERSHIP_EVENTS)],
  generateSecret: generateHeaderSecret,
  checkSecret: checkHeaderSecret,
  authenticate: authenticateHeader,
  normalise: normaliseOkta,
  nextStep: (url) =>
    `Okta Admin Console → Workflow → Event Hooks → Create Event Hook: URL ${url}, Authentication field "Authorization", secret = the secret; then Verify.\n` +
    `Subscribe to: ${[...Object.keys(USER_EVENTS), ...Object.keys(MEMBERSHIP_EVENTS)].join(', ')}.`,
};
