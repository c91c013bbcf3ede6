// The web console's HTTP surface (CONTRACT §10) under /console: its assets, sign-in (a personal
// access token pasted into a form, or a one-time link from `alter console`), sign-out, and the
// pages of ./pages. Browser-facing, so it lives in its own encapsulated scope with its own error
// handler (HTML pages, never JSON), the form parser only it needs, and headers on every answer:
// a CSP of `default-src 'none'` with scripts and styles from self only, no caching (secrets are
// shown once), no referrer, no framing.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlterError } from '../errors.js';
import type { ServerContext } from '../server/context.js';
import { isStoreFault, storeUnavailable } from '../store/faults.js';
import { sendRetryAfter } from '../server/store-faults.js';
import { recordAudit } from '../store/repos/audit.js';
import { parseCookies } from '../wallet/cookies.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { field, button } from './components.js';
import { ABSOLUTE_TIMEOUT_MS, ConsoleSessions } from './session.js';
import { callApi, createSite, SECURE_SESSION_COOKIE, SESSION_COOKIE, type Me } from './site.js';
import { CONSOLE_PAGES } from './pages/index.js';

/** Forms carry a few fields; the largest is a pasted token or credentials. */
const FORM_BODY_LIMIT = 64 * 1024;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const ASSETS: Record<string, { type: string; body: string }> = {
  'console.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('../../assets/console/console.css', import.meta.url), 'utf8') },
  'console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('../../assets/console/console.js', import.meta.url), 'utf8') },
};

const TITLES: Record<number, string> = { 401: 'Signed out', 403: 'Not allowed', 404: 'Not found', 413: 'Too large', 503: 'Briefly unavailable' };

function asAlterError(err: unknown): AlterError {
  if (err instanceof AlterError) return err;
  if (isStoreFault(err)) return storeUnavailable();
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 413) return new AlterError('payload_too_large', 'That form was too large.');
  if (status !== undefined && status >= 400 && status < 500) return new AlterError('invalid_request', 'That request could not be read. Go back and try again.');
  return new AlterError('internal', 'Something went wrong on our side. Please try again in a moment.');
}

/** Only a path inside the console may be where sign-in sends the browser next. */
function safeNext(base: string, next: string | undefined): string | null {
  if (!next || !next.startsWith(`${base}/`) || next.startsWith('//') || /[\\\s]/.test(next)) return null;
  return next;
}

export async function consoleRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { db } = ctx.store;
  const sessions = new ConsoleSessions(db, ctx.sealer);
  // Read per request: the public URL is final only once the server listens (port 0 in tests).
  const publicUrl = (): URL => new URL(ctx.settings.publicUrl);
  const base = (): string => `${publicUrl().pathname.replace(/\/+$/, '')}/console`;
  const secure = (): boolean => publicUrl().protocol === 'https:';
  const cookieName = (): string => (secure() ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

  function sessionCookie(value: string, maxAgeSeconds: number): string {
    // __Host- cookies must be Secure with Path=/; on plain http the cookie is kept to the console.
    const parts = [`${cookieName()}=${value}`, `Path=${secure() ? '/' : base()}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
    if (maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    if (secure()) parts.push('Secure');
    return parts.join('; ');
  }

  function sameOrigin(req: FastifyRequest): boolean {
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string') return site === 'same-origin' || site === 'none';
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return true; // not a browser: the session's CSRF token still has to match
    return origin === publicUrl().origin || origin === `${req.protocol}://${req.headers.host ?? ''}`;
  }

  const send = (reply: FastifyReply, body: Html, status = 200): FastifyReply => reply.status(status).type('text/html; charset=utf-8').send(body.value);
  const redirect = (reply: FastifyReply, location: string, cookies: string[] = []): FastifyReply => {
    if (cookies.length) void reply.header('set-cookie', cookies);
    return reply.redirect(location, 303);
  };

  function fail(c: { req: FastifyRequest; reply: FastifyReply; me?: Me; csrf?: string }, err: unknown): FastifyReply {
    const e = asAlterError(err);
    if (e.code === 'internal') c.req.log.error({ err }, 'console: unhandled error');
    if (e.code === 'store_unavailable' && e !== err) ctx.storeFaults.report(err);
    if (e.code === 'unauthenticated') return redirect(c.reply, `${base()}/sign-in?ended=1`);
    sendRetryAfter(c.reply, e);
    const title = TITLES[e.status] ?? (e.status >= 500 ? 'Something went wrong' : 'That did not work');
    const signedIn = c.me && c.csrf ? { signedIn: { name: c.me.name, tokenId: c.me.tokenId, csrf: c.csrf } } : {};
    return send(
      c.reply,
      page(
        { title, base: base(), ...signedIn },
        html`<h1>${title}</h1><div class="notice error" role="alert">${e.message}</div><p><a href="${base()}/">Back to the console</a></p>`,
      ),
      e.status,
    );
  }

  function signInPage(o: { error?: string; notice?: string; next?: string | null }): Html {
    return page(
      { title: 'Sign in', base: base() },
      html`<div class="signin"><h1>Sign in to the alter console</h1>
${o.notice ? html`<p class="notice ok" role="status">${o.notice}</p>` : ''}
${o.error ? html`<div class="notice error" role="alert">${o.error}</div>` : ''}
<div class="panel">
<p class="lead">Paste a personal access token. The console acts as that token: it shows and changes what the token's scopes and apps allow.</p>
<form method="post" action="${base()}/sign-in">
${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
${field({ label: 'Personal access token', name: 'token', type: 'password', required: true, hint: html`It starts with <code>alter_pat_</code>. <code>alter server init</code> printed one; <code>alter tokens create</code> makes more.` })}
${button('Sign in')}
</form></div>
<p class="hint">From a terminal signed in to alter, <code>alter console</code> prints a one-time sign-in link instead.</p></div>`,
    );
  }

  /** Opens a session for the token and returns its Set-Cookie value. */
  async function startSession(tokenId: string, appId: string | null, via: 'token' | 'link'): Promise<string> {
    const cookie = await sessions.open(tokenId);
    await recordAudit(db, { actor: `token:${tokenId}`, action: 'console.sign_in', appId, target: tokenId, details: { via } });
    return sessionCookie(cookie, Math.floor(ABSOLUTE_TIMEOUT_MS / 1000));
  }

  await app.register((scope, _opts, done) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_req, body, next) => {
      next(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.addHook('onSend', (req, reply, payload, next) => {
      void reply.headers({
        'content-security-policy': CSP,
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      // Pages may hold secrets shown once: never stored, never in the history's cache.
      if (!req.url.startsWith('/console/assets/')) void reply.header('cache-control', 'no-store');
      next(null, payload);
    });
    scope.setErrorHandler((err: Error, req, reply) => fail({ req, reply }, err));
    scope.setNotFoundHandler((req, reply) => fail({ req, reply }, new AlterError('not_found', `There is no console page at ${req.url.split('?')[0]}.`)));

    scope.get<{ Params: { name: string } }>('/assets/:name', (req, reply) => {
      const asset = ASSETS[req.params.name];
      if (!asset) return fail({ req, reply }, new AlterError('not_found', 'no such asset'));
      return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
    });

    scope.get<{ Querystring: Record<string, string | undefined> }>('/sign-in', async (req, reply) => {
      const session = await sessions.find(parseCookies(req.headers.cookie).get(cookieName()));
      if (session) return redirect(reply, `${base()}/`);
      const notice = req.query.ended ? 'Your session has ended. Sign in again.' : req.query.signed_out ? 'You have signed out.' : undefined;
      return send(reply, signInPage({ ...(notice ? { notice } : {}), next: safeNext(base(), req.query.next) }));
    });

    scope.post<{ Body: Record<string, string> | undefined }>('/sign-in', async (req, reply) => {
      if (!sameOrigin(req)) return fail({ req, reply }, new AlterError('forbidden', 'This sign-in did not come from the console’s sign-in page.'));
      const token = (req.body?.token ?? '').trim();
      const next = safeNext(base(), req.body?.next);
      if (!token) return send(reply, signInPage({ error: 'Paste a personal access token.', next }), 400);
      let who: { token_id: string; app_id: string | null };
      try {
        who = await callApi(app, { bearer: token }, 'GET', '/v1/auth/whoami');
      } catch (err) {
        if (err instanceof AlterError && err.code === 'unauthenticated') {
          return send(reply, signInPage({ error: `That token was not accepted: ${err.message}.`, next }), 401);
        }
        throw err;
      }
      const location = next ?? (who.app_id ? `${base()}/apps/${encodeURIComponent(who.app_id)}` : `${base()}/`);
      return redirect(reply, location, [await startSession(who.token_id, who.app_id, 'token')]);
    });

    // The one-time link of `alter console`. Answered with a page that moves on by itself rather than
    // a redirect: a link opened from another site would not carry the SameSite=Strict cookie through
    // a redirect, but does on a navigation this page starts.
    scope.get<{ Querystring: Record<string, string | undefined> }>('/sign-in/link', async (req, reply) => {
      const used = await sessions.useLink(req.query.code ?? '');
      if (!used) {
        return send(reply, signInPage({ error: 'That sign-in link is not valid: it was already used or has expired (links last 5 minutes and work once). Run `alter console` again, or paste a token.' }), 401);
      }
      const target = used.appId ? `${base()}/apps/${encodeURIComponent(used.appId)}` : `${base()}/`;
      void reply.header('set-cookie', await startSession(used.tokenId, used.appId, 'link'));
      return send(
        reply,
        page({ title: 'Signed in', base: base(), refresh: { url: target, seconds: 0 } }, html`<div class="signin"><h1>Signed in</h1><p><a class="button" href="${target}">Continue to the console</a></p></div>`),
      );
    });

    scope.post<{ Body: Record<string, string> | undefined }>('/sign-out', async (req, reply) => {
      const session = await sessions.find(parseCookies(req.headers.cookie).get(cookieName()));
      if (session) {
        if (!sameOrigin(req) || !sessions.csrfMatches(session, req.body?.csrf)) {
          return fail({ req, reply }, new AlterError('forbidden', 'This sign-out did not come from a console page, so nothing was changed.'));
        }
        await sessions.end(session);
        await recordAudit(db, { actor: `token:${session.tokenId}`, action: 'console.sign_out', appId: null, target: session.tokenId });
      }
      return redirect(reply, `${base()}/sign-in?signed_out=1`, [sessionCookie('', 0)]);
    });

    const site = createSite({ root: app, scope, sessions, base, publicUrl: () => ctx.settings.publicUrl, cookieName, sameOrigin, send, redirect, fail });
    for (const register of CONSOLE_PAGES) register(site);
    done();
  }, { prefix: '/console' });
}
