// The wallet's server-rendered pages: sign-in, signed-in, and "what went wrong". No script at all,
// one inline stylesheet allowed by its hash, no third-party assets, so the Content-Security-Policy
// can be `default-src 'none'`. Forms may post only to this server — and, because browsers apply
// form-action to the redirect that answers a form, to the provider origins that redirect goes to.
import { createHash } from 'node:crypto';

const CSS = `
:root{color-scheme:light;--ink:#1a1d23;--muted:#4a5160;--line:#d9dce3;--bg:#f3f4f7;--brand:#1f4fd1;--brand-dark:#173ca3;--danger:#a4262c}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:20px;padding:24px;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{width:100%;max-width:440px;background:#fff;border:1px solid var(--line);border-radius:14px;box-shadow:0 8px 28px rgba(20,24,40,.08);padding:36px 32px}
.brand{display:flex;align-items:center;gap:10px;margin:0 0 24px;font-weight:600;color:var(--muted);font-size:14px;letter-spacing:.02em}
.mark{display:inline-flex;width:28px;height:28px;border-radius:8px;background:var(--brand);color:#fff;align-items:center;justify-content:center;font-weight:700}
h1{font-size:24px;line-height:1.25;margin:0 0 8px}
p{margin:0 0 20px;color:var(--muted)}
.button{display:flex;width:100%;justify-content:center;align-items:center;min-height:46px;padding:10px 18px;border:1px solid var(--brand);border-radius:10px;background:var(--brand);color:#fff;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button:hover{background:var(--brand-dark);border-color:var(--brand-dark)}
.button.secondary{background:#fff;color:var(--brand)}
.button.secondary:hover{background:#eef2fc}
a{color:var(--brand)}
.button:focus-visible,a:focus-visible{outline:3px solid #f5b400;outline-offset:3px}
.notice{border-radius:10px;padding:10px 14px;margin:0 0 20px;background:#e9f6ee;color:#185c37;border:1px solid #b9e0c8}
.error{border-left:4px solid var(--danger);padding-left:14px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:10px 18px;margin:0 0 28px;font-size:15px}
dt{color:var(--muted);font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
code{font:14px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.tags{list-style:none;display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0}
ul.tags li{background:#eef2fc;color:#173ca3;border-radius:999px;padding:1px 10px;font-size:14px}
.none{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:13px;text-align:center}
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface RenderedPage {
  html: string;
  headers: Record<string, string>;
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function page(title: string, body: string, formRedirectTargets: Array<string | null> = []): RenderedPage {
  const origins = [...new Set(formRedirectTargets.map(originOf).filter((o): o is string => !!o && o !== 'null'))];
  const csp = [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    'img-src data:',
    `form-action 'self'${origins.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
<div class="brand"><span class="mark" aria-hidden="true">a</span><span>alter wallet</span></div>
${body}
</main>
<footer>Protected by alter. Your password is entered only at your identity provider.</footer>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    },
  };
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

export function signInPage(opts: { appId: string; appName: string; providerName: string; authorizationEndpoint: string; signedOut: boolean }): RenderedPage {
  const notice = opts.signedOut ? '<p class="notice" role="status">You have been signed out.</p>' : '';
  return page(
    `Sign in · ${opts.appName}`,
    `${notice}<h1>Sign in to ${escapeHtml(opts.appName)}</h1>
<p>Continue with your ${escapeHtml(opts.providerName)} account. You will come straight back here.</p>
<form method="post" action="start">
${hidden('app_id', opts.appId)}
<button class="button" type="submit">Sign in with ${escapeHtml(opts.providerName)}</button>
</form>`,
    [opts.authorizationEndpoint],
  );
}

export interface WalletIdentity {
  userId: string;
  externalId: string;
  email: string | null;
  name: string | null;
  groups: string[];
  roles: string[];
}

function tags(label: string, values: string[]): string {
  if (!values.length) return '<span class="none">none</span>';
  return `<ul class="tags" aria-label="${escapeHtml(label)}">${values.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>`;
}

function optional(value: string | null): string {
  return value ? escapeHtml(value) : '<span class="none">not provided</span>';
}

/** The product name and its issuer; just the issuer when the name is only its host. */
function providerLine(name: string, issuer: string): string {
  return issuer.includes(name) ? `<code>${escapeHtml(issuer)}</code>` : `${escapeHtml(name)}<br><code>${escapeHtml(issuer)}</code>`;
}

export function walletPage(opts: { appId: string; appName: string; providerName: string; issuer: string; user: WalletIdentity; csrfToken: string; endSessionEndpoint: string | null }): RenderedPage {
  const u = opts.user;
  const greeting = u.name ?? u.email ?? u.externalId;
  return page(
    `Signed in · ${opts.appName}`,
    `<h1>Hello, ${escapeHtml(greeting)}</h1>
<p>You are signed in to ${escapeHtml(opts.appName)} with ${escapeHtml(opts.providerName)}.</p>
<dl>
<dt>Name</dt><dd>${optional(u.name)}</dd>
<dt>Email</dt><dd>${optional(u.email)}</dd>
<dt>Groups</dt><dd>${tags('Groups', u.groups)}</dd>
<dt>Roles</dt><dd>${tags('Roles', u.roles)}</dd>
<dt>User ID</dt><dd><code>${escapeHtml(u.userId)}</code></dd>
<dt>External ID</dt><dd><code>${escapeHtml(u.externalId)}</code></dd>
<dt>Provider</dt><dd>${providerLine(opts.providerName, opts.issuer)}</dd>
</dl>
<form method="post" action="sign-out">
${hidden('app_id', opts.appId)}
${hidden('csrf', opts.csrfToken)}
<button class="button secondary" type="submit">Sign out</button>
</form>`,
    [opts.endSessionEndpoint],
  );
}

/** `retryUrl` is a wallet address of this server (never taken from the request as is). */
export function errorPage(title: string, message: string, retryUrl: string | null): RenderedPage {
  const retry = retryUrl
    ? `<a class="button" href="${escapeHtml(retryUrl)}">Try again</a>`
    : '<p>Go back to the application you came from and start the sign-in again.</p>';
  return page(
    title,
    `<div class="error" role="alert"><h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p></div>
${retry}`,
  );
}
