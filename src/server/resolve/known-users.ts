// Users this process has just synced, with the groups and roles the store holds for them. A fresh
// token whose profile and memberships match what is remembered needs no database round-trip: the
// sync would change nothing and answer exactly this. Anything different goes to the store.
// Safe to remember because a token never changes status, and every change that could make the
// remembered state wrong in a way that matters (deprovisioning, blocking, membership removals,
// provider changes) bumps the app, which forgets its users here.
import type { TokenIdentity, UserView } from '../../store/repos/users.js';
import { LAST_SEEN_RESOLUTION_MS } from '../../directory/rules.js';
import type { Epochs } from './epochs.js';

interface Known {
  user: UserView;
  groups: string[];
  roles: string[];
  generation: number;
  /** Until when the stored last_seen_at is fresh enough; past it, the sync refreshes it. */
  seenFreshUntil: number;
}

export const KNOWN_USERS_CAPACITY = 50_000;

function sameSet(a: readonly string[], sortedB: readonly string[]): boolean {
  if (a.length !== sortedB.length) return false;
  const sorted = [...a].sort();
  return sorted.every((v, i) => v === sortedB[i]);
}

export class KnownUsers {
  private readonly entries = new Map<string, Known>();

  constructor(
    private readonly epochs: Epochs,
    private readonly capacity = KNOWN_USERS_CAPACITY,
  ) {}

  /** The remembered answer when `identity` would change nothing, else undefined. */
  match(appId: string, providerId: string, identity: TokenIdentity): { user: UserView; groups: string[]; roles: string[] } | undefined {
    const key = `${providerId} ${identity.externalId}`;
    const known = this.entries.get(key);
    if (!known) return undefined;
    if (known.generation !== this.epochs.generation(appId) || Date.now() >= known.seenFreshUntil) {
      this.entries.delete(key);
      return undefined;
    }
    const { user } = known;
    if (identity.email !== null && identity.email !== user.email) return undefined;
    if (identity.name !== null && identity.name !== user.name) return undefined;
    if (identity.groups !== null && !sameSet(identity.groups, known.groups)) return undefined;
    if (identity.roles !== null && !sameSet(identity.roles, known.roles)) return undefined;
    return known;
  }

  /** Remembers a sync's answer; `generation` is the app's, read before the sync began. */
  remember(providerId: string, answer: { user: UserView; groups: string[]; roles: string[]; lastSeenAt: string | null }, generation: number): void {
    const key = `${providerId} ${answer.user.external_id}`;
    const seenFreshUntil = answer.lastSeenAt ? Date.parse(answer.lastSeenAt) + LAST_SEEN_RESOLUTION_MS : 0;
    this.entries.delete(key);
    this.entries.set(key, { user: answer.user, groups: answer.groups, roles: answer.roles, generation, seenFreshUntil });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
