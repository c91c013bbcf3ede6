// The small set of lifecycle events every provider's webhook is normalised into, and what a
// delivery becomes once parsed. The normalisers (svix.ts, auth0-log-stream.ts, okta-event-hook.ts,
// generic.ts) only translate; lifecycle.ts applies.

/** Any of these external ids may be the user's value of the provider's user-id claim. */
export interface UserRef {
  externalIds: string[];
}

/** A group or role; any of `names` may be the value the mapped claim carries (name, slug, id). */
export interface GroupRef {
  kind: 'group' | 'role';
  names: string[];
  /**
   * Identifiers of the same group that the claim does not carry. Remembered, so that a later event
   * naming the group by one of them alone (Clerk's organization.deleted: the id) still finds it.
   */
  aliases?: string[];
}

interface Base {
  /** When the provider says it happened (ISO); orders status changes that arrive out of order. */
  occurredAt: string | null;
}

export type LifecycleEvent =
  | (Base & { type: 'user.deleted' | 'user.blocked' | 'user.unblocked'; user: UserRef })
  | (Base & { type: 'user.updated'; user: UserRef; email: string | null; name: string | null })
  | (Base & { type: 'membership.added' | 'membership.removed'; user: UserRef; group: GroupRef })
  | (Base & { type: 'group.deleted'; group: GroupRef });

export type LifecycleEventType = LifecycleEvent['type'];

/** One provider event: applied at most once per provider, keyed by `id`. */
export interface ProviderEvent {
  /** svix-id, Auth0 log_id, Okta event uuid, generic event id. */
  id: string;
  /** The provider's own name of the event (status shows it as last_event_type). */
  type: string;
  /** Empty when the type is acknowledged and ignored. */
  events: LifecycleEvent[];
}

/** What a normaliser needs to know of the provider it speaks for. */
export interface ProviderClaims {
  user_id_claim: string;
  group_claim: string | null;
  role_claim: string | null;
}

/** The body was authentic but cannot be understood: the receiver answers 400. */
export class MalformedDelivery extends Error {}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A usable string value: non-empty and free of NUL (which PostgreSQL text cannot hold). */
export function nonEmptyString(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 && !v.includes('\u0000') ? v : null;
}

/** An ISO timestamp from a date string or epoch seconds/milliseconds; null when unusable. */
export function toIso(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v < 1e12 ? v * 1000 : v);
    // Past ±8.64e15 ms (year ±275760) there is no Date: toISOString would throw a RangeError.
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return null;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MalformedDelivery(`body is not valid JSON: ${(err as Error).message}`);
  }
}
