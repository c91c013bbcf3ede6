// The wallet's two cookies, read and written without a cookie library: a session cookie (which
// signed-in user this browser is) and a binding cookie (ties a sign-in in progress to the browser
// that started it). Both are HttpOnly, SameSite=Lax — Lax so they ride along on the provider's
// top-level redirect back to /wallet/callback — and Secure whenever the public URL is https.

export const BINDING_COOKIE = 'alter_wallet_binding';

/** One session cookie per app, so signing in to one app's wallet leaves another's session alone. */
export function sessionCookieName(appId: string): string {
  return `alter_wallet_${appId}`;
}

/** Values of a Cookie header by name; the first occurrence wins, as browsers send the most specific path first. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * Where the cookies live: under /wallet of the public URL's path (so behind a proxy that serves
 * alter at https://example.com/alter they are scoped to /alter/wallet), Secure when it is https.
 */
export interface CookieScope {
  path: string;
  secure: boolean;
}

export function cookieScope(publicUrl: string): CookieScope {
  const url = new URL(publicUrl);
  return { path: `${url.pathname.replace(/\/+$/, '')}/wallet`, secure: url.protocol === 'https:' };
}

/** A Set-Cookie value; `maxAge` 0 deletes. Values are our own base64url strings: nothing to escape. */
export function serializeCookie(name: string, value: string, maxAge: number, scope: CookieScope): string {
  const parts = [`${name}=${value}`, `Path=${scope.path}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax'];
  if (maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (scope.secure) parts.push('Secure');
  return parts.join('; ');
}
