// The reconciliation rules of the directory, in one place. Tokens, webhooks, sync runs, SCIM calls
// and operators are five sources of the same facts (a user exists, has a status, belongs to groups);
// every writer of users and memberships asks these functions, so that the rules are written and
// tested once:
// - status changes are ordered by the time of the statement (a provider's event time, a snapshot's
//   start, an operator's action): an older statement never undoes a newer change;
// - a token never changes status;
// - an operator's block is undone only by an operator; an operator's deprovisioning is final;
// - deprovisioning is the stronger refusal: a later block does not weaken it;
// - a token removes only memberships that tokens added, never those a directory source stated;
// - a membership removed at T is not re-added by a statement older than T (membership_removals).

export const SOURCES = ['token', 'webhook', 'sync', 'scim', 'admin'] as const;
export type Source = (typeof SOURCES)[number];

export type UserStatus = 'active' | 'blocked' | 'deprovisioned';
export const STATUSES: readonly UserStatus[] = ['active', 'blocked', 'deprovisioned'];

export interface StatusState {
  status: string;
  status_changed_at: string | null;
  status_source: string | null;
}

export interface StatusStatement {
  to: UserStatus;
  /** When the source says it happened (ISO). */
  at: string;
  source: Source;
}

/** What a statement does to a user's status: `apply` it, or why not. */
export type StatusVerdict = 'apply' | 'unchanged' | 'stale' | 'weaker' | 'operator_lock' | 'final';

export function judgeStatusChange(state: StatusState, s: StatusStatement): StatusVerdict {
  const byOperator = state.status_source === 'admin';
  if (byOperator && state.status === 'deprovisioned') return state.status === s.to ? 'unchanged' : 'final';
  if (byOperator && state.status === 'blocked' && s.source !== 'admin') return 'operator_lock';
  // An operator acts now, on what they see: their action is never "older" than a provider's event
  // (whose clock may run ahead). Taking over a status an automatic source set makes it theirs.
  if (s.source === 'admin') return state.status === s.to && byOperator ? 'unchanged' : 'apply';
  if (state.status_changed_at && s.at < state.status_changed_at) return 'stale';
  if (s.to === 'blocked' && state.status === 'deprovisioned') return 'weaker';
  return state.status === s.to ? 'unchanged' : 'apply';
}

/** The lifecycle event a status change is recorded as. */
export function statusAction(from: string, to: UserStatus): string {
  if (to === 'active') return from === 'deprovisioned' ? 'restored' : 'unblocked';
  return to;
}

/** A token's partial view may remove only what tokens themselves added. */
export function tokenMayRemove(membershipSource: string): boolean {
  return membershipSource === 'token';
}

/** A removal at `removedAt` blocks re-adding by a statement made before it. */
export function removalBlocks(removedAt: string, statementAtMs: number | null): boolean {
  return statementAtMs === null || statementAtMs < Date.parse(removedAt);
}

/**
 * last_seen_at is kept to within this: refreshing it on every resolve would turn the read-only
 * steady state of resolution into a write per request.
 */
export const LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;

export function lastSeenIsStale(lastSeenAt: string | null, nowMs: number): boolean {
  return lastSeenAt === null || nowMs - Date.parse(lastSeenAt) >= LAST_SEEN_RESOLUTION_MS;
}

/** The user's sources with `source` added (JSON text), or null when it was already there. */
export function addSource(sourcesJson: string, source: Source): string | null {
  const sources = parseSources(sourcesJson);
  if (sources.includes(source)) return null;
  return JSON.stringify(SOURCES.filter((s) => s === source || sources.includes(s)));
}

export function parseSources(sourcesJson: string): Source[] {
  try {
    const parsed = JSON.parse(sourcesJson) as unknown;
    return Array.isArray(parsed) ? SOURCES.filter((s) => parsed.includes(s)) : [];
  } catch {
    return [];
  }
}
