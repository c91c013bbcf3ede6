// Clerk, which delivers through Svix: `svix-id`, `svix-timestamp`, `svix-signature` over the raw
// body, checked by the svix library (±5 min either way; several space-separated signatures are
// accepted, which is how Clerk rotates its own secret).
import { Webhook, WebhookVerificationError } from 'svix';
import {
  MalformedDelivery,
  isObject,
  nonEmptyString,
  parseJson,
  toIso,
  type GroupRef,
  type LifecycleEvent,
  type ProviderClaims,
  type ProviderEvent,
} from './events.js';
import type { WebhookAdapter, WebhookRequest } from './scheme.js';

const SVIX_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

function header(req: WebhookRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(' ') : v) ?? '';
}

function checkSvixSecret(secret: string): string | null {
  const m = SVIX_SECRET.exec(secret);
  const bytes = m ? Buffer.from(m[1]!, 'base64').length : 0;
  if (!m || bytes < 16 || bytes > 64) {
    return 'must be the endpoint’s signing secret from the Clerk Dashboard (Webhooks → endpoint → Signing Secret), which looks like whsec_…';
  }
  return null;
}

function authenticateSvix(req: WebhookRequest, secret: string): string | null {
  const headers = { 'svix-id': header(req, 'svix-id'), 'svix-timestamp': header(req, 'svix-timestamp'), 'svix-signature': header(req, 'svix-signature') };
  if (!headers['svix-id'] || !headers['svix-timestamp'] || !headers['svix-signature']) return 'missing svix-id, svix-timestamp or svix-signature header';
  try {
    new Webhook(secret).verify(req.body, headers);
    return null;
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      if (/timestamp too (old|new)/i.test(err.message)) return 'svix-timestamp is more than 5 minutes away from the server clock';
      if (/invalid signature headers/i.test(err.message)) return 'svix-timestamp is not a number';
      return 'no svix-signature matches the body with the webhook secret';
    }
    // The library parses the body after a signature matched: authentic, but not JSON. normalise() says so.
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

/**
 * Which organisation identifier the provider's group claim carries: Clerk tokens can hold the id
 * (`org_id`, `o.id`) or the slug (`org_slug`, `o.slg`). Unknown claim names match either.
 */
export function organisationIdentifier(groupClaim: string | null): 'id' | 'slug' | 'either' {
  const last = (groupClaim ?? '').split(/[./]/).pop()!.toLowerCase();
  if (/(slug|slg)$/.test(last)) return 'slug';
  if (/(^|_)id$/.test(last)) return 'id';
  return 'either';
}

function organisationGroup(org: unknown, provider: ProviderClaims): GroupRef {
  if (!isObject(org)) throw new MalformedDelivery('the event has no organization');
  const id = nonEmptyString(org.id);
  const slug = nonEmptyString(org.slug);
  const wanted = organisationIdentifier(provider.group_claim);
  // A deleted organisation arrives without its slug; its id is then all there is to match.
  const names = wanted === 'slug' ? [slug ?? id] : wanted === 'id' ? [id] : [id, slug];
  const present = names.filter((n): n is string => n !== null);
  if (!present.length) throw new MalformedDelivery('the organization has neither id nor slug');
  return { kind: 'group', names: present, aliases: wanted === 'slug' && slug && id ? [id] : [] };
}

function userId(v: unknown, what: string): string {
  const id = nonEmptyString(v);
  if (!id) throw new MalformedDelivery(`${what} has no user id`);
  return id;
}

function primaryEmail(data: Record<string, unknown>): string | null {
  const list = Array.isArray(data.email_addresses) ? data.email_addresses : [];
  const primary = list.find((e) => isObject(e) && e.id === data.primary_email_address_id) as Record<string, unknown> | undefined;
  return nonEmptyString(primary?.email_address);
}

function fullName(data: Record<string, unknown>): string | null {
  const parts = [nonEmptyString(data.first_name), nonEmptyString(data.last_name)].filter(Boolean);
  return parts.length ? parts.join(' ') : null;
}

function clerkEvents(type: string, data: Record<string, unknown>, occurredAt: string | null, provider: ProviderClaims): LifecycleEvent[] {
  switch (type) {
    case 'user.deleted':
      return [{ type: 'user.deleted', user: { externalIds: [userId(data.id, 'user.deleted')] }, occurredAt }];
    case 'user.updated': {
      const user = { externalIds: [userId(data.id, 'user.updated')] };
      const events: LifecycleEvent[] = [{ type: 'user.updated', user, email: primaryEmail(data), name: fullName(data), occurredAt }];
      // Every user.updated carries banned/locked; false on both means the user may sign in.
      if (data.banned === true || data.locked === true) events.push({ type: 'user.blocked', user, occurredAt });
      else if (data.banned === false || data.locked === false) events.push({ type: 'user.unblocked', user, occurredAt });
      return events;
    }
    case 'organizationMembership.created':
    case 'organizationMembership.deleted': {
      const member = isObject(data.public_user_data) ? data.public_user_data.user_id : undefined;
      return [
        {
          type: type === 'organizationMembership.created' ? 'membership.added' : 'membership.removed',
          user: { externalIds: [userId(member, type)] },
          group: organisationGroup(data.organization, provider),
          occurredAt,
        },
      ];
    }
    case 'organization.deleted':
      return [{ type: 'group.deleted', group: organisationGroup(data, provider), occurredAt }];
    default:
      return [];
  }
}

function normaliseClerk(req: WebhookRequest, provider: ProviderClaims): ProviderEvent[] {
  const payload = parseJson(req.body.toString('utf8'));
  if (!isObject(payload) || typeof payload.type !== 'string') throw new MalformedDelivery('body is not a Clerk event (no "type")');
  const data = isObject(payload.data) ? payload.data : {};
  const occurredAt = toIso(payload.timestamp) ?? toIso(data.updated_at);
  return [{ id: header(req, 'svix-id'), type: payload.type, events: clerkEvents(payload.type, data, occurredAt, provider) }];
}

export const svixAdapter: WebhookAdapter = {
  scheme: 'svix',
  expectedEvents: ['user.deleted', 'user.updated', 'organizationMembership.created', 'organizationMembership.deleted', 'organization.deleted'],
  generateSecret: null,
  checkSecret: checkSvixSecret,
  authenticate: authenticateSvix,
  normalise: normaliseClerk,
  nextStep: (url) =>
    `Clerk Dashboard → Webhooks → Add Endpoint: Endpoint URL ${url}; subscribe to user.deleted, user.updated, organizationMembership.created, organizationMembership.deleted, organization.deleted.\n` +
    'The secret is that endpoint’s Signing Secret (whsec_…); after rotating it in Clerk, run `alter idp webhook rotate --secret -`.',
};
