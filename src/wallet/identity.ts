// Who a wallet session belongs to, as the wallet page shows it: the user row written by sign-in
// (or resolution, or a webhook) and their current groups and roles.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { WalletIdentity } from './pages.js';

export interface SessionIdentity extends WalletIdentity {
  status: string;
}

export async function loadIdentity(db: Kysely<Database>, userId: string): Promise<SessionIdentity | undefined> {
  const user = await db.selectFrom('users').select(['id', 'external_id', 'email', 'name', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!user) return undefined;
  const memberships = await db
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .select(['groups.kind', 'groups.name'])
    .where('memberships.user_id', '=', userId)
    .orderBy('groups.name')
    .execute();
  return {
    userId: user.id,
    externalId: user.external_id,
    email: user.email,
    name: user.name,
    status: user.status,
    groups: memberships.filter((m) => m.kind === 'group').map((m) => m.name),
    roles: memberships.filter((m) => m.kind === 'role').map((m) => m.name),
  };
}
