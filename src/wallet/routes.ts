// The wallet's HTTP surface (CONTRACT §6 "Wallet sign-in"): the sign-in / signed-in page, the start
// of the flow, the provider's callback and sign-out. Browser-facing: every answer is an HTML page
// or a redirect, errors included, so these routes live in their own encapsulated scope with their
// own error handler and the form body parser only they need.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlterError } from '../errors.js';
import type { ServerContext } from '../server/context.js';
import { sha256Hex } from '../crypto/tokens.js';
import { recordAudit } from '../store/repos/audit.js';
import { isStoreFault } from '../store/faults.js';
import { sendRetryAfter } from '../server/store-faults.js';
import { authorizationUrl, endSessionUrl } from './authorize.js';
import { completeSignIn } from './callback.js';
import { BINDING_COOKIE, cookieScope, parseCookies, serializeCookie, sessionCookieName } from './cookies.js';
import { isAppIdShape, requireWallet, signInPath } from './context.js';
import { bindingValue, createFlow, FLOW_TTL_SECONDS } from './flows.js';
import { loadIdentity } from './identity.js';
import { errorPage, signInPage, walletPage, type RenderedPage } from './pages.js';
import { problemTitle, walletError } from './problems.js';
import { providerDisplayName } from './provider-name.js';
import { csrfMatches, endSession, findSession, SESSION_TTL_SECONDS } from './sessions.js';

/** Forms carry an app id and a CSRF token: a few hundred bytes at most. */
const FORM_BODY_LIMIT = 4096;

type Query = Record<string, string | undefined>;
type Form = Record<string, string>;

function send(reply: FastifyReply, page: RenderedPage, status = 200): FastifyReply {
  return reply.status(status).headers(page.headers).send(page.html);
}

/** 303: after a POST the browser must GET the next page, and a redirect is never cached. */
function redirect(reply: FastifyReply, location: string, cookies: string[] = []): FastifyReply {
  if (cookies.length) void reply.header('set-cookie', cookies);
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(location, 303);
}

function firstValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asAlterError(err: Error): AlterError {
  if (err instanceof AlterError) return err;
  if (isStoreFault(err)) return walletError('store_unavailable', 'Sign-in is briefly unavailable. Please try again in a moment.');
  const status = (err as { statusCode?: number }).statusCode;
  // Fastify's own 4xx (form too large, unexpected content type): the request is at fault, not alter.
  if (status !== undefined && status >= 400 && status < 500) return walletError('bad_request', 'That request could not be read. Please start again from the sign-in page.');
  return new AlterError('internal', 'Something went wrong on our side. Please try again in a moment.');
}

export async function walletRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { db } = ctx.store;
  // Read per request: the public URL is final only once the server listens (port 0 in tests).
  const scope = (): ReturnType<typeof cookieScope> => cookieScope(ctx.settings.publicUrl);
  const cookiesOf = (req: FastifyRequest): Map<string, string> => parseCookies(req.headers.cookie);

  await app.register((site, _opts, done) => {
    site.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_req, body, next) => {
      next(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    site.setErrorHandler((err: Error, req, reply) => {
      const e = asAlterError(err);
      if (e.code === 'internal') req.log.error({ err }, 'wallet: unhandled error');
      if (e.code === 'store_unavailable' && e !== err) ctx.storeFaults.report(err);
      sendRetryAfter(reply, e);
      const appId = e.details.app_id;
      return send(reply, errorPage(problemTitle(e), e.message, isAppIdShape(appId) ? signInPath(appId) : null), e.status);
    });

    site.get<{ Querystring: Query }>('/wallet/sign-in', async (req, reply) => {
      // Back from the provider's sign-out, the fixed logout_url carries the app id in `state`.
      const returningFromLogout = !req.query.app_id && !!req.query.state;
      const wallet = await requireWallet(ctx, req.query.app_id ?? req.query.state);
      const cookieName = sessionCookieName(wallet.app.id);
      const cookieValue = cookiesOf(req).get(cookieName);
      const session = await findSession(db, wallet.app.id, cookieValue);
      const identity = session && (await loadIdentity(db, session.userId));
      const providerName = providerDisplayName(wallet.provider);
      if (session && identity && identity.status === 'active') {
        return send(
          reply,
          walletPage({
            appId: wallet.app.id,
            appName: wallet.app.name,
            providerName,
            issuer: wallet.provider.issuer,
            user: identity,
            csrfToken: session.csrfToken,
            endSessionEndpoint: wallet.endpoints.endSessionEndpoint,
          }),
        );
      }
      // A session whose user was since blocked or deprovisioned (by a webhook) is over.
      if (session && cookieValue) await endSession(db, wallet.app.id, cookieValue);
      if (cookieValue) void reply.header('set-cookie', serializeCookie(cookieName, '', 0, scope()));
      return send(
        reply,
        signInPage({
          appId: wallet.app.id,
          appName: wallet.app.name,
          providerName,
          authorizationEndpoint: wallet.endpoints.authorizationEndpoint,
          signedOut: returningFromLogout,
        }),
      );
    });

    site.post<{ Body: Form | undefined }>('/wallet/start', async (req, reply) => {
      const wallet = await requireWallet(ctx, firstValue(req.body?.app_id));
      // One binding value per browser, reused while it lives, so two tabs can sign in at once.
      const binding = bindingValue(cookiesOf(req).get(BINDING_COOKIE));
      const flow = await createFlow(db, ctx.sealer, wallet.app.id, sha256Hex(binding));
      return redirect(reply, authorizationUrl(wallet, ctx.settings, flow), [serializeCookie(BINDING_COOKIE, binding, FLOW_TTL_SECONDS, scope())]);
    });

    site.get<{ Querystring: Query }>('/wallet/callback', async (req, reply) => {
      const cookies = cookiesOf(req);
      const { appId, sessionCookie } = await completeSignIn(ctx, req.query, cookies.get(BINDING_COOKIE), req.log);
      // A fresh session id on every sign-in; the one this browser held before is over.
      const previous = cookies.get(sessionCookieName(appId));
      if (previous) await endSession(db, appId, previous);
      return redirect(reply, signInPath(appId), [serializeCookie(sessionCookieName(appId), sessionCookie, SESSION_TTL_SECONDS, scope())]);
    });

    site.post<{ Body: Form | undefined }>('/wallet/sign-out', async (req, reply) => {
      const wallet = await requireWallet(ctx, firstValue(req.body?.app_id));
      const cookieName = sessionCookieName(wallet.app.id);
      const cookieValue = cookiesOf(req).get(cookieName);
      if (!cookieValue) return redirect(reply, signInPath(wallet.app.id));
      if (!csrfMatches(cookieValue, firstValue(req.body?.csrf))) {
        throw walletError('bad_request', 'This sign-out did not come from your wallet page, so nothing was changed. Use the Sign out button on the page.', wallet.app.id, 'forbidden');
      }
      await db.transaction().execute(async (tx) => {
        const userId = await endSession(tx, wallet.app.id, cookieValue);
        if (userId) await recordAudit(tx, { actor: `wallet:${userId}`, action: 'wallet.sign_out', appId: wallet.app.id, target: userId, details: { provider_id: wallet.provider.id } });
      });
      const clear = serializeCookie(cookieName, '', 0, scope());
      return redirect(reply, endSessionUrl(wallet, ctx.settings) ?? signInPath(wallet.app.id), [clear]);
    });

    done();
  });
}
