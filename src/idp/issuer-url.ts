// What counts as an issuer URL. Shared by the CLI (to fail fast, exit 2, before any network call)
// and the server (which cannot trust its callers to have checked). Dependency-free on purpose.

/** Why `raw` is not usable as an issuer URL, or null when it is. Reachability is checked later. */
export function issuerUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a URL: ${JSON.stringify(raw)} (expected e.g. https://acme.okta.com)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `must be an https:// URL, not ${url.protocol}// (expected e.g. https://acme.okta.com)`;
  }
  if (url.pathname.includes('/.well-known/')) {
    const issuer = raw.slice(0, raw.indexOf('/.well-known/'));
    return `pass the issuer itself, not a /.well-known/ address (try ${issuer || 'the issuer URL'})`;
  }
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  if (url.search || raw.includes('?')) return 'must not contain a query string (?…)';
  if (url.hash || raw.includes('#')) return 'must not contain a fragment (#…)';
  return null;
}

/** Where the discovery document of an issuer lives (OpenID Connect Discovery 1.0 §4). */
export function discoveryUrlOf(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** True when two issuer spellings differ only by a trailing slash. */
export function sameIssuerButSlash(a: string, b: string): boolean {
  return a !== b && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
