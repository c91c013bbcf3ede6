// Every scope a personal access token can hold. The token printed by `server init` holds them all.
export const SCOPES = [
  'dashboard_apps:read',
  'dashboard_apps:write',
  'dashboard_tokens:admin',
  'dashboard_keys:read',
  'dashboard_keys:write',
  'dashboard_identity_providers:create',
  'dashboard_identity_providers:read',
  'dashboard_identity_providers:delete',
  'dashboard_identity_providers:webhooks',
  'dashboard_identity_providers:directory',
  'dashboard_audit:read',
  'dashboard_directory:read',
  'dashboard_directory:write',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
