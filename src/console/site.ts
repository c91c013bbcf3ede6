// How a console page or action is written: `site.page(path, c => html)` for a GET, and
// `site.action(path, c => outcome)` for a form POST (CSRF-checked before the handler runs). The
// handler gets a `ConsoleCall`: the signed-in token (`me`, `can(scope)`), the route's params, query
// and form, and `api()`, which calls the management API in-process as that token — so a page shows
// and changes exactly what the API lets the token see and change, with the API's own checks and
// error messages. No business rule lives here or in a page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlterError, isErrorCode } from '../errors.js';
import type { Scope } from '../scopes.js';
import { internalCallerHeader } from '../server/internal-caller.js';
import { parseCookies } from '../wallet/cookies.js';
import type { Html } from './html.js';
import { page, type SectionKey, type ShellApp } from './layout.js';
import type { ConsoleSession, ConsoleSessions, Flash } from './session.js';

export interface Me {
  tokenId: string;
  name: string | null;
  scopes: string[];
  /** Set when the token may act on this app only. */
  appId: string | null;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ConsoleCall {
  req: FastifyRequest;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** The posted form's fields (actions only). */
  form: Record<string, string>;
  me: Me;
  csrf: string;
  /** The path of this request, without its query. */
  path: string;
  /** The server's public URL (ALTER_PUBLIC_URL), for addresses the operator copies to a provider. */
  publicUrl: string;
  can(scope: Scope): boolean;
  /** A console URL: url('/apps/x') → '/console/apps/x' (with the public URL's path prefix). */
  url(rest: string): string;
  /** Calls the management API as the signed-in token; a refusal is thrown as the API's AlterError. */
  api<T = any>(method: Method, path: string, body?: unknown): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The app named by the route's :appId (via the API: 403/404 as the API says). */
  app(): Promise<ShellApp>;
  /** A whole page in the console's shell; on a GET, the session's flash for this page shows in it. */
  render(o: { title: string; section?: SectionKey; body: Html | Html[]; app?: boolean; refresh?: { url: string; seconds: number } }): Promise<Html>;
}

export type Outcome = { redirect: string; flash?: Flash } | { page: Html; status?: number };

/** Paths are relative to /console (the scope's prefix): `/apps/:appId/users`. */
export interface ConsoleSite {
  page(path: string, handler: (c: ConsoleCall) => Promise<Html>): void;
  /** `back`: where a refused action's error is shown (default: the path without its last segment). */
  action(path: string, handler: (c: ConsoleCall) => Promise<Outcome>, opts?: { back?: (c: ConsoleCall) => string }): void;
}

export const SESSION_COOKIE = 'alter_console';
export const SECURE_SESSION_COOKIE = '__Host-alter_console';

export interface SiteDeps {
  /** The root server: the console's API calls are injected into it. */
  root: FastifyInstance;
  scope: FastifyInstance;
  sessions: ConsoleSessions;
  base: () => string;
  publicUrl: () => string;
  cookieName: () => string;
  /** Same-origin check of a state-changing request (Fetch Metadata, else Origin). */
  sameOrigin: (req: FastifyRequest) => boolean;
  send: (reply: FastifyReply, body: Html, status?: number) => FastifyReply;
  redirect: (reply: FastifyReply, location: string, cookies?: string[]) => FastifyReply;
  /** An error as a page (or, for an ended session, the way back to sign-in). */
  fail: (c: { req: FastifyRequest; reply: FastifyReply; me?: Me; csrf?: string }, err: unknown) => FastifyReply;
}

/** Calls the management API in-process as token `tokenId` (or as a bearer token, for sign-in). */
export async function callApi<T>(root: FastifyInstance, as: { tokenId: string } | { bearer: string }, method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = 'tokenId' in as ? internalCallerHeader(as.tokenId) : { authorization: `Bearer ${as.bearer}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await root.inject({ method, url: path, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  const text = res.body;
  const parsed = text ? (JSON.parse(text) as unknown) : null;
  if (res.statusCode >= 400) {
    const error = (parsed as { error?: Record<string, unknown> } | null)?.error ?? {};
    const { code, message, ...details } = error;
    throw new AlterError(isErrorCode(code) ? code : 'internal', typeof message === 'string' ? message : `the API answered ${res.statusCode}`, details);
  }
  return parsed as T;
}

function pathOf(url: string): string {
  return url.split('?')[0]!;
}

function parentOf(path: string): string {
  return path.replace(/\/[^/]*$/, '') || '/';
}

export function createSite(deps: SiteDeps): ConsoleSite {
  const { root, scope, sessions } = deps;

  function call(req: FastifyRequest, session: ConsoleSession, me: Me): ConsoleCall {
    let app: ShellApp | undefined;
    const params = (req.params ?? {}) as Record<string, string>;
    const c: ConsoleCall = {
      req,
      params,
      query: (req.query ?? {}) as Record<string, string | undefined>,
      form: (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>,
      me,
      csrf: session.csrfToken,
      path: `${deps.base()}${pathOf(req.url).replace(/^\/console/, '')}`,
      publicUrl: deps.publicUrl(),
      can: (s) => me.scopes.includes(s),
      url: (rest) => `${deps.base()}${rest}`,
      api: (method, path, body) => callApi(root, { tokenId: session.tokenId }, method, path, body),
      async app() {
        if (!app) {
          const appId = params.appId;
          if (!appId) throw new AlterError('not_found', 'no app in this address');
          const found = await c.api<{ id: string; name: string }>('GET', `/v1/apps/${encodeURIComponent(appId)}`);
          app = { id: found.id, name: found.name };
        }
        return app;
      },
      async render(o) {
        const flash = req.method === 'GET' ? await sessions.takeFlash(session, c.path) : null;
        return page(
          {
            title: o.title,
            base: deps.base(),
            signedIn: { name: me.name, tokenId: me.tokenId, csrf: session.csrfToken },
            ...(o.app === false || !params.appId ? {} : { app: await c.app() }),
            ...(o.section ? { section: o.section } : {}),
            ...(o.refresh ? { refresh: o.refresh } : {}),
            flash,
          },
          o.body,
        );
      },
    };
    return c;
  }

  /** The signed-in session and token, or a redirect to sign-in. */
  async function signedIn(req: FastifyRequest, reply: FastifyReply): Promise<{ session: ConsoleSession; me: Me } | null> {
    const session = await sessions.find(parseCookies(req.headers.cookie).get(deps.cookieName()));
    if (!session) {
      // Back to this page after signing in (its public address: the server path under the public URL's prefix).
      const here = `${deps.base()}${pathOf(req.url).replace(/^\/console/, '')}`;
      const next = req.method === 'GET' && here !== `${deps.base()}/` ? `?next=${encodeURIComponent(here)}` : '';
      deps.redirect(reply, `${deps.base()}/sign-in${next}`);
      return null;
    }
    try {
      const who = await callApi<{ token_id: string; name: string | null; scopes: string[]; app_id: string | null }>(root, { tokenId: session.tokenId }, 'GET', '/v1/auth/whoami');
      return { session, me: { tokenId: who.token_id, name: who.name, scopes: who.scopes, appId: who.app_id } };
    } catch (err) {
      if (err instanceof AlterError && err.code === 'unauthenticated') {
        // The token was revoked or has expired: the session it opened ends with it.
        await sessions.end(session);
        deps.redirect(reply, `${deps.base()}/sign-in?ended=1`);
        return null;
      }
      throw err;
    }
  }

  return {
    page(path, handler) {
      scope.get(path, async (req, reply) => {
        const who = await signedIn(req, reply);
        if (!who) return reply;
        try {
          return deps.send(reply, await handler(call(req, who.session, who.me)));
        } catch (err) {
          return deps.fail({ req, reply, me: who.me, csrf: who.session.csrfToken }, err);
        }
      });
    },
    action(path, handler, opts = {}) {
      scope.post(path, async (req, reply) => {
        const who = await signedIn(req, reply);
        if (!who) return reply;
        const form = (req.body ?? {}) as Record<string, string>;
        if (!deps.sameOrigin(req) || !sessions.csrfMatches(who.session, form.csrf)) {
          return deps.fail(
            { req, reply, me: who.me, csrf: who.session.csrfToken },
            new AlterError('forbidden', 'This request did not come from a console page, so nothing was changed. Use the buttons on the page.'),
          );
        }
        const c = call(req, who.session, who.me);
        try {
          const outcome = await handler(c);
          if ('page' in outcome) return deps.send(reply, outcome.page, outcome.status);
          if (outcome.flash) await sessions.setFlash(who.session, { ...outcome.flash, path: pathOf(outcome.redirect) });
          return deps.redirect(reply, outcome.redirect);
        } catch (err) {
          // A request the API refused for what it asked (bad field, conflict, rejected by the
          // provider) goes back to its page with the API's message; anything else is an error page.
          if (err instanceof AlterError && [400, 409, 413, 422, 429, 502].includes(err.status)) {
            const back = opts.back ? opts.back(c) : parentOf(c.path);
            await sessions.setFlash(who.session, { error: err.message, path: back });
            return deps.redirect(reply, back);
          }
          return deps.fail({ req, reply, me: who.me, csrf: who.session.csrfToken }, err);
        }
      });
    },
  };
}
