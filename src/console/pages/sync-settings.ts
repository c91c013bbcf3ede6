// The settings form of directory sync: the management-API credentials the provider's type takes
// (the keys of src/directory/sources' parse*Credentials; the API checks them), the interval and
// the deletion threshold. The same fields enable sync and, left empty, keep what is saved on update.
import { html, type Html } from '../html.js';
import { field } from '../components.js';
import { AlterError } from '../../errors.js';

interface CredentialField {
  key: string;
  label: string;
  hint: string;
  secret?: boolean;
  /** The value is a JSON object (a private JWK), sent as one. */
  json?: boolean;
}

const CREDENTIALS: Record<string, CredentialField[]> = {
  auth0: [
    { key: 'client_id', label: 'Client ID', hint: 'Of a machine-to-machine application authorised for the Management API (read:users and read:roles; read:organizations and read:organization_members when the group claim is org_name or org_id).' },
    { key: 'client_secret', label: 'Client secret', hint: 'That application’s client secret.', secret: true },
  ],
  clerk: [{ key: 'secret_key', label: 'Secret key', hint: 'sk_live_… or sk_test_…, from the Clerk Dashboard under API keys.', secret: true }],
  okta: [
    { key: 'api_token', label: 'API token', hint: 'An Okta API token (SSWS). Or leave it empty and give an API service app below.', secret: true },
    { key: 'client_id', label: 'Service app client ID', hint: 'An API service app granted okta.users.read and okta.groups.read.' },
    { key: 'private_key_jwk', label: 'Service app private key (JWK)', hint: 'Its private key as a JSON Web Key.', secret: true, json: true },
  ],
};

const API_URL: CredentialField = { key: 'api_url', label: 'API base URL', hint: 'Optional: a custom domain, a regional endpoint or a proxy. Empty: the provider’s default.' };

const formName = (key: string): string => `credential_${key}`;

/** Whether alter can read this provider type's management API (else: SCIM or webhooks). */
export function syncable(providerType: string): boolean {
  return providerType in CREDENTIALS;
}

/** The credentials, interval and threshold fields; on update (`saved`) empty means "keep". */
export function settingsFields(providerType: string, saved?: { interval: string; deletion_threshold: string }): Html {
  const keep = saved ? ' Leave empty to keep the saved credentials.' : '';
  return html`<fieldset><legend>Management-API credentials</legend>
<p class="hint">Checked with the provider before they are saved; stored encrypted and never shown again.${keep}</p>
${[...(CREDENTIALS[providerType] ?? []), API_URL].map((f) =>
  field({ label: f.label, name: formName(f.key), type: f.secret ? 'password' : f.key === 'api_url' ? 'url' : 'text', hint: f.hint, ...(f.key === 'api_url' ? { placeholder: 'https://' } : {}) }),
)}
</fieldset>
${field({ label: 'Interval', name: 'interval', value: saved?.interval ?? '1h', required: true, hint: 'How often a run starts: 30m, 1h, 2h, 1d (at least 5m).' })}
${field({ label: 'Deletion threshold', name: 'deletion_threshold', value: saved?.deletion_threshold ?? '10%', required: true, hint: 'A run that would deprovision more users than this stops and changes nothing: a share of the active users (10%) or a count (25).' })}`;
}

/** The credentials object the form gives, or undefined when every credentials field is empty. */
export function credentialsFrom(providerType: string, form: Record<string, string>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const f of [...(CREDENTIALS[providerType] ?? []), API_URL]) {
    const value = form[formName(f.key)]?.trim();
    if (!value) continue;
    out[f.key] = f.json ? parseJson(f.label, value) : value;
  }
  return Object.keys(out).length ? out : undefined;
}

function parseJson(label: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Never echo the value: it is a private key.
    throw new AlterError('invalid_request', `${label}: not valid JSON; paste the key as a JSON object`);
  }
}
