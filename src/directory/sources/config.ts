// What a source is configured with: the provider it reads (as alter knows it) and the credentials an
// operator gave for its management API. Credentials are checked key by key so that a mistake names
// the key to fix; no message ever repeats a value, since every value here may be a secret.
import { AlterError } from '../../errors.js';

export interface SourceProvider {
  /** 'auth0', 'clerk' or 'okta'; any other type has no source (parseCredentials says so). */
  provider_type: string;
  issuer: string;
  group_claim: string | null;
  role_claim: string | null;
}

export interface SourceOptions {
  /** ctx.settings.allowPrivateIssuers, passed on to safeFetch. */
  allowPrivate: boolean;
}

export type Fields = Record<string, unknown>;

export function invalidCredential(key: string, problem: string): AlterError {
  return new AlterError('invalid_request', `credentials.${key}: ${problem}`, { field: key });
}

/** The credentials as an object holding only `allowed` keys (`accepts` lists them for the operator). */
export function credentialsObject(raw: unknown, allowed: readonly string[], accepts: string): Fields {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AlterError('invalid_request', `credentials: must be a JSON object; ${accepts}`, { field: 'credentials' });
  }
  const unknown = Object.keys(raw).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw invalidCredential(unknown.slice(0, 64), `unknown key; ${accepts}`);
  return raw as Fields;
}

export function requiredString(fields: Fields, key: string, hint: string): string {
  const value = fields[key];
  if (typeof value !== 'string' || !value.trim()) throw invalidCredential(key, `required (${hint})`);
  // Pasted secrets often bring a newline along; no provider's secret starts or ends with a space.
  return value.trim();
}

/** api_url, when given: the API's base URL (a test double, a proxy, an Auth0 canonical domain). */
export function apiUrl(fields: Fields): string | null {
  const value = fields.api_url;
  if (value === undefined) return null;
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    // Not a URL: refused below.
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw invalidCredential('api_url', 'must be an http(s) URL without credentials, query or fragment, such as https://acme.okta.com');
  }
  return url.href.replace(/\/+$/, '');
}
