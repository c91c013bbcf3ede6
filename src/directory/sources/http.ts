// How every directory source talks to its management API: JSON over safeFetch, with the patience a
// whole-directory read needs. A read is hundreds of requests, so one of them meeting a rate limit,
// a 502 or a dropped connection is normal and is waited out or retried here; what still fails after
// that becomes a SourceError, and the read as a whole fails (a partial snapshot is never applied).
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { OutboundError, safeFetch, type SafeResponse } from '../../net/safe-fetch.js';
import { SourceError, type CredentialCheck } from './source.js';

export interface Api {
  /** Who answers, for messages: "the Auth0 Management API". */
  name: string;
  /** Origin (and path prefix) every URL of the API starts with; no trailing slash. */
  base: string;
  allowPrivate: boolean;
  /** The header in which the API states, in epoch seconds, when its rate-limit window resets. */
  resetHeader: string | null;
}

export interface Call {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

/** What authenticates a request: a static key, or an access token fetched (and cached) on demand. */
export interface Authorizer {
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /** Drops a cached access token the API refused; absent when there is nothing to fetch again. */
  forget?(): void;
}

// One page of 500 Clerk users is about 1 MiB; 8 MiB leaves room without letting one answer eat memory.
const PAGE_MAX_BYTES = 8 * 1_048_576;
const TIMEOUT_MS = 30_000;
const ATTEMPTS = 4;
const BACKOFF_MS = 250;
const RATE_LIMIT_WAITS = 10;
const MAX_WAIT_MS = 60_000;
// Outbound failures worth another attempt; a refused scheme or address will be refused again.
const TRANSIENT = new Set(['connect', 'timeout', 'dns']);
// Failures that no later attempt can fix: the URL itself may not or cannot be fetched.
const UNUSABLE = new Set(['invalid_url', 'scheme', 'blocked_address']);
// OAuth errors (RFC 6749 §5.2) by which a token endpoint refuses the client, whatever the status.
const REFUSING = new Set(['access_denied', 'invalid_client', 'unauthorized_client', 'invalid_scope']);

/** "GET /api/v2/users": the query is left out, messages stay short (and never carry a token). */
function describe(call: Call): string {
  return `${call.method ?? 'GET'} ${new URL(call.url).pathname}`;
}

function aborted(): SourceError {
  return new SourceError('aborted', 'the directory read was cancelled');
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw aborted();
    throw err;
  }
}

/** safeFetch takes no signal; a cancelled read stops waiting at once and lets the request time out alone. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** How long a 429 asks us to wait: Retry-After (seconds or an HTTP date), else the reset header. */
export function rateLimitWaitMs(headers: Record<string, string>, resetHeader: string | null, now: number): number {
  const retryAfter = headers['retry-after']?.trim();
  const reset = resetHeader ? Number(headers[resetHeader]) : NaN;
  let ms = 1_000;
  if (retryAfter && /^\d+$/.test(retryAfter)) ms = Number(retryAfter) * 1000;
  else if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) ms = Date.parse(retryAfter) - now;
  else if (Number.isFinite(reset) && reset > 0) ms = reset * 1000 - now;
  // A reset already past (clock skew) still gets a breath; a far one is capped, then asked again.
  return Math.min(Math.max(ms, 250), MAX_WAIT_MS);
}

function outboundFailure(api: Api, call: Call, err: unknown): SourceError {
  if (!(err instanceof OutboundError)) throw err;
  const kind = err.kind === 'too_large' || err.kind === 'redirect' ? 'bad_answer' : 'unreachable';
  return new SourceError(kind, `${api.name}: ${describe(call)} failed: ${err.message}`, { cause: err });
}

/**
 * One request, made to succeed if it can: 429s are waited out as the API asks, 5xx answers and
 * connection failures retried with backoff. Any other answer (2xx, 4xx) is returned as it is.
 */
async function send(api: Api, call: Call): Promise<SafeResponse> {
  let failures = 0;
  let waits = 0;
  while (true) {
    if (call.signal?.aborted) throw aborted();
    let res: SafeResponse;
    try {
      res = await abortable(safeFetch(call.url, { method: call.method ?? 'GET', headers: call.headers, body: call.body, allowPrivate: api.allowPrivate, timeoutMs: TIMEOUT_MS, maxBytes: PAGE_MAX_BYTES }), call.signal);
    } catch (err) {
      if (err instanceof SourceError) throw err;
      const failure = outboundFailure(api, call, err);
      if (!(err instanceof OutboundError && TRANSIENT.has(err.kind)) || ++failures >= ATTEMPTS) throw failure;
      await sleep(BACKOFF_MS * 2 ** (failures - 1), call.signal);
      continue;
    }
    if (res.status === 429) {
      if (++waits > RATE_LIMIT_WAITS) throw new SourceError('rate_limited', `${api.name} kept answering 429 (rate limited) to ${describe(call)} after ${RATE_LIMIT_WAITS} waits; try again later`);
      await sleep(rateLimitWaitMs(res.headers, api.resetHeader, Date.now()), call.signal);
      continue;
    }
    if (res.status >= 500) {
      if (++failures >= ATTEMPTS) throw new SourceError('unreachable', `${api.name} answered HTTP ${res.status} to ${describe(call)} (${ATTEMPTS} attempts)${summary(res)}`);
      await sleep(BACKOFF_MS * 2 ** (failures - 1), call.signal);
      continue;
    }
    return res;
  }
}

function parsed(res: SafeResponse): unknown {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

/** The provider's own words for an error (Auth0 message, Okta errorSummary, Clerk errors[0], OAuth). */
function summary(res: SafeResponse): string {
  const body = parsed(res);
  const errors = field(body, 'errors');
  const first = Array.isArray(errors) ? (errors[0] as unknown) : undefined;
  const candidates = [field(body, 'error_description'), field(body, 'errorSummary'), field(body, 'message'), field(first, 'long_message'), field(first, 'message'), field(body, 'error')];
  const text = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  return text ? `: ${text.slice(0, 200)}` : '';
}

function oauthError(res: SafeResponse): string | null {
  const error = field(parsed(res), 'error');
  return typeof error === 'string' ? error : null;
}

function refusedBy(res: SafeResponse): boolean {
  const error = oauthError(res);
  return res.status === 401 || res.status === 403 || (res.status >= 400 && error !== null && REFUSING.has(error));
}

/** The JSON of a 200; anything else is an error the read cannot go past. */
function expectJson(api: Api, call: Call, res: SafeResponse): unknown {
  if (refusedBy(res)) throw new SourceError('credentials_refused', `${api.name} refused the credentials (HTTP ${res.status} to ${describe(call)}${summary(res)})`);
  if (res.status !== 200) throw new SourceError('bad_answer', `${api.name} answered HTTP ${res.status} to ${describe(call)}${summary(res)}`);
  try {
    return res.json();
  } catch {
    throw new SourceError('bad_answer', `${api.name} answered ${describe(call)} with something that is not JSON (${res.headers['content-type'] ?? 'no content type'})`);
  }
}

function shaped<T>(api: Api, call: Call, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // The path and the expectation, never the value: a wrong shape may still hold personal data.
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the body';
  throw new SourceError('bad_answer', `${api.name} answered ${describe(call)} in an unexpected shape (${where}: ${issue?.message ?? 'invalid'})`);
}

/** What one read carries from request to request. */
export interface Session {
  api: Api;
  auth: Authorizer;
  signal?: AbortSignal | undefined;
}

/** base + path + query, every value percent-encoded (spaces as %20, which every API reads as a space). */
export function endpoint(api: Api, path: string, query: Record<string, string | number> = {}): string {
  const q = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return `${api.base}${path}${q.length ? `?${q.join('&')}` : ''}`;
}

/** GET a JSON document of a known shape; an access token the API refuses is fetched again once. */
export async function getJson<T>(s: Session, url: string, schema: z.ZodType<T>): Promise<{ data: T; headers: Record<string, string> }> {
  for (let retried = false; ; retried = true) {
    const call: Call = { url, headers: { accept: 'application/json', ...(await s.auth.headers(s.signal)) }, signal: s.signal };
    const res = await send(s.api, call);
    // An expired or revoked access token answers 401; the credentials behind it may still be good.
    if (res.status === 401 && s.auth.forget && !retried) {
      s.auth.forget();
      continue;
    }
    return { data: shaped(s.api, call, schema, expectJson(s.api, call, res)), headers: res.headers };
  }
}

interface AccessToken {
  accessToken: string;
  expiresIn: number;
}

const TOKEN = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

/** A client-credentials token request (Auth0, Okta service apps), made with the patience of any read. */
export async function requestToken(api: Api, call: Call): Promise<AccessToken> {
  const res = await send(api, call);
  const body = shaped(api, call, TOKEN, expectJson(api, call, res));
  return { accessToken: body.access_token, expiresIn: body.expires_in };
}

/** Caches an access token until a minute before it expires, so no request carries one about to lapse. */
export function cachedToken(fetchToken: (signal?: AbortSignal) => Promise<AccessToken>): Authorizer {
  let cached: { token: string; until: number } | null = null;
  return {
    async headers(signal) {
      if (!cached || Date.now() >= cached.until) {
        const fresh = await fetchToken(signal);
        cached = { token: fresh.accessToken, until: Date.now() + Math.max(fresh.expiresIn - 60, 0) * 1000 };
      }
      return { authorization: `Bearer ${cached.token}` };
    },
    forget() {
      cached = null;
    },
  };
}

/**
 * A credentials check: one request, no retries, judged as refused (401/403 or an OAuth error that
 * refuses the client, or a URL that can never be fetched), verified (a 200 that `isAnswer` accepts)
 * or, for anything else — timeouts, 5xx, rate limits, odd answers — inconclusive.
 */
export async function checkWith(api: Api, call: Call, isAnswer: (body: unknown) => boolean = () => true): Promise<CredentialCheck> {
  let res: SafeResponse;
  try {
    res = await safeFetch(call.url, { method: call.method ?? 'GET', headers: call.headers, body: call.body, allowPrivate: api.allowPrivate, timeoutMs: 10_000 });
  } catch (err) {
    const failure = outboundFailure(api, call, err);
    return { outcome: err instanceof OutboundError && UNUSABLE.has(err.kind) ? 'refused' : 'unverified', reason: failure.message };
  }
  if (refusedBy(res)) return { outcome: 'refused', reason: `${api.name} refused the credentials (HTTP ${res.status} to ${describe(call)}${summary(res)})` };
  if (res.status === 200 && isAnswer(parsed(res))) return { outcome: 'verified' };
  return { outcome: 'unverified', reason: `${api.name} answered HTTP ${res.status} to ${describe(call)}${summary(res)}` };
}

/** A token endpoint's answer must carry a token: a 200 without one proves nothing. */
export function hasAccessToken(body: unknown): boolean {
  return typeof field(body, 'access_token') === 'string';
}
