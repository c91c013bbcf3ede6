// What a provider's management API is to directory sync: a DirectorySource checks its credentials
// and reads a complete snapshot of the directory (users, and the groups or roles they belong to).
// A source knows the paging, authentication and rate limits of one API and nothing of the store;
// src/directory/sync.ts applies snapshots by the rules of src/directory/rules.ts.
import type { UserStatus } from '../rules.js';

export type MembershipKind = 'group' | 'role';

export interface SnapshotUser {
  /** The value the provider's tokens carry in the user-id claim (Auth0 user_id, Clerk id, Okta id). */
  externalId: string;
  email: string | null;
  name: string | null;
  /** Mapped from the provider's own state (e.g. Okta SUSPENDED → blocked, DEPROVISIONED → deprovisioned). */
  status: UserStatus;
}

export interface SnapshotMembership {
  externalId: string;
  kind: MembershipKind;
  /** The group as the provider's group (or role) claim names it. */
  name: string;
}

export interface Snapshot {
  users: SnapshotUser[];
  /** Every group and role, members or not, named as the claims name them. */
  groups: Array<{ kind: MembershipKind; name: string }>;
  memberships: SnapshotMembership[];
  /** The kinds this source states completely; memberships of other kinds are left alone. */
  kinds: MembershipKind[];
}

export interface SyncProgress {
  phase: 'users' | 'groups' | 'memberships';
  /** How many items of this phase have been read so far. */
  done: number;
  /** How many there are, when the API says. */
  total: number | null;
}

/** The answer of a credentials check, as the wallet's: refused means nothing is saved. */
export type CredentialCheck = { outcome: 'verified' } | { outcome: 'refused'; reason: string } | { outcome: 'unverified'; reason: string };

export interface DirectorySource {
  checkCredentials(): Promise<CredentialCheck>;
  /**
   * Reads the whole directory. Throws SourceError when any page cannot be read (after honouring
   * rate limits and retrying what can be retried): a partial snapshot must never be applied.
   */
  read(onProgress: (p: SyncProgress) => void, signal?: AbortSignal): Promise<Snapshot>;
}

export type SourceErrorKind = 'credentials_refused' | 'unreachable' | 'bad_answer' | 'rate_limited' | 'aborted';

/** Why a read or a check failed, in words an operator can act on; never carries a credential. */
export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  constructor(kind: SourceErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.kind = kind;
  }
}
