// Row types of every table. Timestamps are ISO-8601 UTC strings (`new Date().toISOString()`), which
// sort and compare correctly as text on both SQLite and PostgreSQL; booleans are 0/1 integers and
// JSON values are text, so one set of queries serves both dialects.
import type { Generated } from 'kysely';

export interface AppsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface TokensTable {
  id: string;
  name: string | null;
  token_hash: string;
  /** JSON array of scope names. */
  scopes: string;
  /** When set, the token may act only on this app. */
  app_id: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface RuntimeKeysTable {
  id: string;
  app_id: string;
  name: string;
  key_hash: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface IdentityProvidersTable {
  id: string;
  /** Unique: one identity provider per app, enforced by the database. */
  app_id: string;
  provider_type: string;
  detected_as: string | null;
  issuer: string;
  jwks_uri: string;
  /** The discovery document as fetched (JSON), for endpoints and supported algorithms. */
  discovery: string;
  audience: string | null;
  user_id_claim: string;
  group_claim: string | null;
  role_claim: string | null;
  claim_mappings_locked: number;
  clock_leeway_seconds: number;
  wallet_client_id: string | null;
  /** Sealed (see crypto/sealed.ts) with the provider id as associated data. */
  wallet_client_secret: string | null;
  wallet_verification: string | null;
  webhook_scheme: string;
  created_at: string;
  updated_at: string;
}

export interface WebhooksTable {
  provider_id: string;
  scheme: string;
  enabled: number;
  /** Sealed with `${provider_id}:webhook` as associated data; null once disabled. */
  secret: string | null;
  secret_set_at: string | null;
  enabled_at: string | null;
  events_received: number;
  events_rejected: number;
  last_event_at: string | null;
  last_event_type: string | null;
  last_rejection_at: string | null;
  last_rejection_reason: string | null;
}

export interface WebhookDeliveriesTable {
  provider_id: string;
  /** svix-id, Auth0 log_id or Okta event uuid. Primary key with provider_id: applied once. */
  delivery_id: string;
  received_at: string;
}

export interface UsersTable {
  id: string;
  app_id: string;
  provider_id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  /** active | blocked | deprovisioned */
  status: string;
  status_changed_at: string | null;
  /** False for a user known only from a webhook event, before their first resolve. */
  seen: number;
  /** JSON array of the sources that have stated this user (token, webhook, sync, scim, admin). */
  sources: Generated<string>;
  /** The source of the last status change; `admin` with a non-active status is an operator's lock. */
  status_source: string | null;
  /** When a token of this user was last resolved (to within an hour: see src/directory/rules.ts). */
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  id: string;
  provider_id: string;
  /** group | role */
  kind: string;
  /** The value as it appears in the mapped claim (name, slug or id). */
  name: string;
  /** The source that first stated the group. */
  source: Generated<string>;
  created_at: string;
}

export interface MembershipsTable {
  user_id: string;
  group_id: string;
  /** The source of the newest statement that added it (tokens remove only their own). */
  source: Generated<string>;
  created_at: string;
}

/** A user's lifecycle: what changed, when, by which source. */
export interface UserEventsTable {
  id: string;
  user_id: string;
  at: string;
  source: string;
  /** created, updated, blocked, unblocked, deprovisioned, restored, membership_added, membership_removed */
  action: string;
  /** JSON object, or null. */
  detail: string | null;
}

/** A membership removed by a webhook: tokens issued before removed_at may not re-add it. */
export interface MembershipRemovalsTable {
  user_id: string;
  kind: string;
  name: string;
  removed_at: string;
}

/** Another identifier (`alias`) of the group whose claim value is `name` (e.g. a Clerk org id → slug). */
export interface GroupAliasesTable {
  provider_id: string;
  kind: string;
  alias: string;
  name: string;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  /** `token:<id>`, `webhook:<provider id>`, `resolve`, `system`, … */
  actor: string;
  action: string;
  app_id: string | null;
  target: string | null;
  /** JSON object of non-secret details. */
  details: string | null;
}

export interface WalletFlowsTable {
  /** SHA-256 of the `state` value. */
  state_hash: string;
  app_id: string;
  /** SHA-256 of the browser-binding cookie. */
  binding_hash: string;
  nonce: string;
  /** Sealed PKCE code verifier. */
  code_verifier: string;
  created_at: string;
  expires_at: string;
}

export interface WalletSessionsTable {
  /** SHA-256 of the session cookie. */
  id_hash: string;
  app_id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

/** Monotonic per-app version: bumped on every change that caches must drop (cross-process). */
export interface CacheVersionsTable {
  scope: string;
  version: number;
}

export interface ConsoleSessionsTable {
  /** SHA-256 of the session cookie. */
  id_hash: string;
  token_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  /** The absolute end (8 h after sign-in); idleness is judged from last_seen_at. */
  expires_at: string;
  flash: string | null;
}

export interface ConsoleLinksTable {
  /** SHA-256 of the one-time sign-in code. */
  token_hash: string;
  token_id: string;
  app_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface WebhookDeliveryLogTable {
  id: string;
  provider_id: string;
  received_at: string;
  /** accepted | rejected */
  outcome: string;
  event_type: string | null;
  events: number;
  reason: string | null;
}

export interface Database {
  apps: AppsTable;
  tokens: TokensTable;
  runtime_keys: RuntimeKeysTable;
  identity_providers: IdentityProvidersTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  users: UsersTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  membership_removals: MembershipRemovalsTable;
  group_aliases: GroupAliasesTable;
  audit_events: AuditEventsTable;
  wallet_flows: WalletFlowsTable;
  wallet_sessions: WalletSessionsTable;
  cache_versions: CacheVersionsTable;
  user_events: UserEventsTable;
  directory_syncs: DirectorySyncsTable;
  sync_runs: SyncRunsTable;
  scim_configs: ScimConfigsTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  console_sessions: ConsoleSessionsTable;
  console_links: ConsoleLinksTable;
  webhook_delivery_log: WebhookDeliveryLogTable;
}

/** SCIM provisioning of one provider. */
export interface ScimConfigsTable {
  provider_id: string;
  app_id: string;
  /** SHA-256 of the bearer token (alter_scim_…), which is shown once. */
  token_hash: string;
  /** externalId | userName: which SCIM attribute carries the token subject (users.external_id). */
  match_attribute: string;
  /** displayName | externalId: which SCIM attribute names the group as group claims do. */
  group_name_attribute: string;
  token_set_at: string;
  requests: Generated<number>;
  errors: Generated<number>;
  last_request_at: string | null;
  last_error: string | null;
  created_at: string;
}

/** The SCIM view of a directory user; the row exists while the user is provisioned by SCIM. */
export interface ScimUsersTable {
  user_id: string;
  provider_id: string;
  user_name: string;
  user_name_key: string;
  external_id: string | null;
  /** JSON of the SCIM attributes as last written (ScimUserFields). */
  resource: string;
  created_at: string;
  updated_at: string;
}

/** The SCIM view of a directory group (kind `group`). */
export interface ScimGroupsTable {
  group_id: string;
  provider_id: string;
  display_name: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Directory sync of one provider: sealed credentials, schedule, safeguard and the run lease. */
export interface DirectorySyncsTable {
  provider_id: string;
  app_id: string;
  /** JSON of the management-API credentials, sealed with the provider id as associated data. */
  credentials: string;
  /** verified | unverified */
  verification: string;
  interval_seconds: number;
  /** `10%` or an absolute count such as `25`. */
  deletion_threshold: string;
  next_run_at: string;
  /** Which process runs this provider's sync now, and until when (extended while it runs). */
  lease_holder: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface SyncRunsTable {
  id: string;
  provider_id: string;
  /** manual | schedule */
  trigger: string;
  dry_run: number;
  /** running | succeeded | failed | aborted */
  status: string;
  started_at: string;
  finished_at: string | null;
  /** JSON of the counts (users_seen, created, …). */
  counts: string;
  /** JSON {phase, done, total} while running. */
  progress: string | null;
  /** JSON {code, message}. */
  error: string | null;
}
