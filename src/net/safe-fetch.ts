// The one outbound HTTP client of the server. Every URL it fetches came, directly or through a
// discovery document, from a user, so it refuses to become a way into the server's own network:
//  - https only (http too when the operator allows private issuers);
//  - the host is resolved here, every address (or the IP literal, in any spelling) is checked, and
//    the socket connects to the address that was checked — no second DNS lookup, so no
//    DNS-rebinding window between check and connect;
//  - connect and total timeouts, a response size cap read as a stream;
//  - redirects are never followed: the target would need the same checks, and no caller needs them.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { classifyAddress, parseIpLiteral, formatIp } from './address.js';

export interface SafeFetchOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** ctx.settings.allowPrivateIssuers: http:// and private/loopback addresses are allowed. */
  allowPrivate: boolean;
  /** Total time for the whole exchange, body included; default 10 s. Connecting gets at most 5 s. */
  timeoutMs?: number;
  /** Response body cap; default 1 MiB. */
  maxBytes?: number;
}

export interface SafeResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  url: string;
  text(): string;
  /** Parses the body; throws a SyntaxError when it is not JSON. */
  json(): unknown;
}

export type OutboundErrorKind =
  | 'invalid_url'
  | 'scheme'
  | 'blocked_address'
  | 'dns'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'too_large'
  | 'redirect';

export class OutboundError extends Error {
  readonly kind: OutboundErrorKind;
  constructor(kind: OutboundErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboundError';
    this.kind = kind;
  }
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_CONNECT_MS = 5_000;
export const DEFAULT_MAX_BYTES = 1_048_576;

/** Resolve `host` and return the one address to connect to, refusing if any answer is off-limits. */
async function checkedAddress(host: string, allowPrivate: boolean): Promise<string> {
  const literal = parseIpLiteral(host);
  let addresses: string[];
  if (literal) {
    addresses = [formatIp(literal)];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (err) {
      throw new OutboundError('dns', `DNS lookup of ${host} failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
    if (!addresses.length) throw new OutboundError('dns', `DNS lookup of ${host} returned no addresses`);
  }
  if (!allowPrivate) {
    // Every answer is checked, not just the first: a name that resolves to one public and one
    // private address is refused, since a later resolution could hand out the private one.
    for (const address of addresses) {
      const verdict = classifyAddress(address);
      if (!verdict.allowed) {
        const via = literal ? '' : ` (${host} resolves to ${verdict.address})`;
        throw new OutboundError('blocked_address', `refusing to connect to ${verdict.reason}${via}; set ALTER_ALLOW_PRIVATE_ISSUERS=1 to allow private issuers in development`);
      }
    }
  }
  return addresses[0] as string;
}

type ConnectFn = NonNullable<ConstructorParameters<typeof Agent>[0]>['connect'];

function guardedConnector(allowPrivate: boolean): ConnectFn {
  const connect = buildConnector({ timeout: MAX_CONNECT_MS });
  return (opts, callback) => {
    checkedAddress(opts.hostname, allowPrivate).then(
      (address) => {
        // TLS still verifies the certificate against the name in the URL (servername), while the
        // TCP connection goes to the address that was checked.
        const servername = isIP(opts.hostname) || parseIpLiteral(opts.hostname) ? undefined : opts.hostname;
        connect({ ...opts, hostname: address, servername }, callback);
      },
      (err: unknown) => callback(err as Error, null),
    );
  };
}

const agents = new Map<boolean, Agent>();

function agentFor(allowPrivate: boolean): Agent {
  let agent = agents.get(allowPrivate);
  if (!agent) {
    agent = new Agent({ connect: guardedConnector(allowPrivate), keepAliveTimeout: 4_000 });
    agents.set(allowPrivate, agent);
  }
  return agent;
}

function parseTarget(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('invalid_url', `not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundError('scheme', `only https:// URLs can be fetched, not ${url.protocol}//`);
  }
  if (url.protocol === 'http:' && !allowPrivate) {
    throw new OutboundError('scheme', `only https:// URLs can be fetched (${url.origin} is plain http; set ALTER_ALLOW_PRIVATE_ISSUERS=1 to allow it in development)`);
  }
  if (url.username || url.password) throw new OutboundError('invalid_url', 'URLs with credentials are not fetched');
  return url;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$|HOSTNAME_MISMATCH)/;

/** Turn whatever undici or the socket threw into an OutboundError naming the cause. */
function classifyFailure(err: unknown, url: URL, timedOut: boolean, timeoutMs: number): OutboundError {
  if (err instanceof OutboundError) return err;
  if (timedOut) return new OutboundError('timeout', `${url.origin} did not answer within ${timeoutMs / 1000} s`, { cause: err });
  let e: unknown = err;
  while (e instanceof Error) {
    if (e instanceof OutboundError) return e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new OutboundError('timeout', `connecting to ${url.host} timed out after ${MAX_CONNECT_MS / 1000} s`, { cause: err });
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new OutboundError('timeout', `${url.origin} did not answer in time`, { cause: err });
    if (TLS_CODES.test(code)) return new OutboundError('tls', `TLS handshake with ${url.host} failed (${code}: ${e.message})`, { cause: err });
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new OutboundError('dns', `DNS lookup of ${url.hostname} failed (${code})`, { cause: err });
    if (/^(ECONN|EHOST|ENET|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CLOSED)/.test(code)) {
      return new OutboundError('connect', `could not connect to ${url.host} (${code})`, { cause: err });
    }
    e = e.cause;
  }
  return new OutboundError('connect', `request to ${url.origin} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export async function safeFetch(rawUrl: string, opts: SafeFetchOptions): Promise<SafeResponse> {
  const url = parseTarget(rawUrl, opts.allowPrivate);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const res = await request(url, {
      dispatcher: agentFor(opts.allowPrivate),
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: opts.body,
      signal: abort.signal,
    });
    const headers = flattenHeaders(res.headers);
    if (res.statusCode >= 300 && res.statusCode < 400 && headers.location) {
      discard(res.body);
      throw new OutboundError('redirect', `${url.origin} answered ${res.statusCode} redirecting to ${headers.location}; redirects are not followed (give the final URL)`);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      discard(res.body);
      throw tooLarge(url, maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        discard(res.body);
        throw tooLarge(url, maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    return {
      status: res.statusCode,
      headers,
      body,
      url: url.href,
      text: () => body.toString('utf8'),
      json: () => JSON.parse(body.toString('utf8')) as unknown,
    };
  } catch (err) {
    throw classifyFailure(err, url, timedOut, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** Drop a body we will not read; the error its destruction emits has nobody left to tell. */
function discard(body: { on(event: 'error', fn: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function tooLarge(url: URL, maxBytes: number): OutboundError {
  return new OutboundError('too_large', `the response from ${url.origin} is larger than ${maxBytes >= 1_048_576 ? `${maxBytes / 1_048_576} MiB` : `${maxBytes} bytes`}`);
}
