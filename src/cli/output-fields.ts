// The top-level fields each command prints, so that `--fields` is checked before anything is sent:
// a typo in `--fields` must not create a token, key or webhook secret that is then never shown.
// The check after the answer (io/output.ts) stays as the backstop for commands not listed here.
import type { Command } from 'commander';
import { checkFields } from './io/output.js';

const APP = ['id', 'name', 'created_at'];
const TOKEN = ['id', 'name', 'scopes', 'app_id', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'];
const KEY = ['id', 'app_id', 'name', 'created_at', 'revoked_at', 'last_used_at'];
const WHOAMI = ['api_url', 'token_id', 'name', 'scopes', 'app_id', 'expires_at'];
const PROVIDER = ['id', 'app_id', 'provider_type', 'issuer', 'jwks_uri', 'audience', 'claim_mappings', 'claim_mappings_locked', 'wallet', 'webhook', 'created_at'];
const DISCOVERY = ['issuer', 'provider_type', 'detected_as', 'jwks_uri', 'authorization_endpoint', 'token_endpoint', 'signing_algorithms', 'keys', 'claim_mappings', 'webhook_scheme', 'warnings', 'sample_token'];
const WEBHOOK_SHOWN_ONCE = ['provider_id', 'enabled', 'url', 'scheme', 'secret'];
const WEBHOOK_STATUS = [
  'provider_id', 'enabled', 'url', 'scheme', 'secret_set_at', 'events_received', 'events_rejected', 'last_event_at',
  'last_event_type', 'last_rejection_at', 'last_rejection_reason', 'enabled_at', 'expected_events', 'warnings',
];

const USER = ['id', 'external_id', 'email', 'name', 'status', 'groups', 'roles', 'sources', 'last_seen_at', 'created_at', 'updated_at'];
const GROUP = ['id', 'kind', 'name', 'members', 'source', 'created_at'];

const SYNC_STATUS = ['provider_id', 'enabled', 'verification', 'interval', 'deletion_threshold', 'last_run', 'next_run_at', 'warnings'];
const SYNC_RUN = [
  'id', 'provider_id', 'trigger', 'dry_run', 'status', 'started_at', 'finished_at', 'users_seen', 'groups_seen', 'created', 'updated',
  'blocked', 'unblocked', 'deprovisioned', 'memberships_added', 'memberships_removed', 'error',
];

const SCIM_SHOWN_ONCE = ['provider_id', 'enabled', 'base_url', 'token', 'match_attribute'];

const IDP = 'identity-providers';

export const OUTPUT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'server init': ['token', 'scopes'],
  'auth login': WHOAMI,
  'auth status': [...WHOAMI, 'source'],
  link: ['app_id', 'file'],
  'apps create': APP,
  'apps list': APP,
  'apps show': APP,
  'tokens create': [...TOKEN, 'token'],
  'tokens list': TOKEN,
  'tokens revoke': TOKEN,
  'keys mint': [...KEY, 'key'],
  'keys list': KEY,
  'keys revoke': KEY,
  [`${IDP} discover`]: DISCOVERY,
  [`${IDP} create`]: PROVIDER,
  [`${IDP} update`]: PROVIDER,
  [`${IDP} show`]: PROVIDER,
  [`${IDP} delete`]: ['id', 'app_id', 'deleted'],
  [`${IDP} webhook enable`]: WEBHOOK_SHOWN_ONCE,
  [`${IDP} webhook rotate`]: WEBHOOK_SHOWN_ONCE,
  [`${IDP} webhook disable`]: WEBHOOK_STATUS,
  [`${IDP} webhook status`]: WEBHOOK_STATUS,
  [`${IDP} sync enable`]: SYNC_STATUS,
  [`${IDP} sync update`]: SYNC_STATUS,
  [`${IDP} sync status`]: SYNC_STATUS,
  [`${IDP} sync disable`]: SYNC_STATUS,
  [`${IDP} sync run`]: SYNC_RUN,
  [`${IDP} sync runs`]: SYNC_RUN,
  [`${IDP} scim enable`]: SCIM_SHOWN_ONCE,
  [`${IDP} scim rotate`]: SCIM_SHOWN_ONCE,
  [`${IDP} scim disable`]: ['provider_id', 'enabled', 'base_url'],
  [`${IDP} scim status`]: [
    'provider_id', 'enabled', 'base_url', 'match_attribute', 'group_name_attribute', 'token_set_at', 'requests', 'errors', 'last_request_at', 'last_error', 'users', 'groups',
  ],
  'users list': USER,
  'users show': [...USER, 'memberships', 'events'],
  'users block': USER,
  'users unblock': USER,
  'users deprovision': USER,
  'groups list': GROUP,
  'groups show': ['id', 'kind', 'name', 'source', 'created_at', 'member_count', 'members', 'more_members'],
};

/** "tokens create", "identity-providers webhook enable": the command's names below the program. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Refuses unknown `--fields` names (exit 2) before the command acts. */
export function checkFieldsBeforeAction(cmd: Command): void {
  const known = OUTPUT_FIELDS[commandPath(cmd)];
  const { fields } = cmd.optsWithGlobals<{ fields?: string[] }>();
  if (known && fields) checkFields(fields, [...known]);
}
