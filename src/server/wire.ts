// The shapes of the answers app backends rely on, as zod schemas: documented in /openapi.json (from
// which the SDK's types are generated), so that server and SDK describe the same wire.
import { z } from 'zod';

export const UserView = z.object({
  id: z.string(),
  external_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  status: z.enum(['active', 'blocked', 'deprovisioned']),
});

export const ResolveAnswer = z.object({
  user: UserView,
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  claims: z.record(z.string(), z.unknown()),
});

export const TOKEN_FAILURE_REASONS = [
  'malformed', 'bad_signature', 'unknown_key', 'algorithm_not_allowed', 'expired', 'not_yet_valid',
  'issuer_mismatch', 'audience_mismatch', 'missing_claim', 'deprovisioned', 'no_identity_provider',
] as const;

export const InvalidTokenError = z.object({
  error: z.object({ code: z.literal('invalid_token'), reason: z.enum(TOKEN_FAILURE_REASONS), message: z.string() }),
});

export const DirectoryUser = UserView.extend({
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  sources: z.array(z.enum(['token', 'webhook', 'sync', 'scim', 'admin'])),
  last_seen_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const DirectoryUsersData = z.object({ data: z.array(DirectoryUser) });
export const DirectoryMembersPage = z.object({ data: z.array(DirectoryUser), next_cursor: z.string().nullable() });
