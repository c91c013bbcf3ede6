// What every source builds while it reads: users, groups and memberships, each kept once however
// often the pages repeat them (offset pages shift when the directory changes during the read), and
// the progress the operator watches.
import type { MembershipKind, Snapshot, SnapshotMembership, SnapshotUser, SyncProgress } from './source.js';

export class SnapshotBuilder {
  private readonly users = new Map<string, SnapshotUser>();
  private readonly groups = new Map<string, { kind: MembershipKind; name: string }>();
  private readonly memberships = new Map<string, SnapshotMembership>();

  constructor(
    private readonly kinds: MembershipKind[],
    private readonly onProgress: (p: SyncProgress) => void,
  ) {}

  addUsers(users: SnapshotUser[], total: number | null): void {
    for (const user of users) this.users.set(user.externalId, user);
    this.onProgress({ phase: 'users', done: this.users.size, total });
  }

  addGroups(kind: MembershipKind, names: string[], total: number | null): void {
    for (const name of names) this.group(kind, name);
    this.onProgress({ phase: 'groups', done: this.groups.size, total });
  }

  addMembers(kind: MembershipKind, name: string, externalIds: string[]): void {
    this.group(kind, name);
    for (const externalId of externalIds) this.memberships.set(`${kind}\0${name}\0${externalId}`, { externalId, kind, name });
    this.onProgress({ phase: 'memberships', done: this.memberships.size, total: null });
  }

  build(): Snapshot {
    // A user who joined after the users were read belongs to the next run, whole: a membership
    // here without its user would be a statement about someone the snapshot does not contain.
    const memberships = [...this.memberships.values()].filter((m) => this.users.has(m.externalId));
    return { users: [...this.users.values()], groups: [...this.groups.values()], memberships, kinds: this.kinds };
  }

  private group(kind: MembershipKind, name: string): void {
    this.groups.set(`${kind}\0${name}`, { kind, name });
  }
}

/** "First Last" from the parts a provider keeps apart; null when it has neither. */
export function personName(first: string | null | undefined, last: string | null | undefined): string | null {
  const parts = [first, last].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length ? parts.join(' ') : null;
}
