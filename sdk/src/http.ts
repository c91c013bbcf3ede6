// One call to alter with the runtime key: a timeout, and alter's answers sorted into what the
// caller handles (a status and a JSON body) and what it cannot (AlterUnavailableError, AlterConfigError).
import { AlterConfigError, AlterUnavailableError } from './errors.js';
import type { components } from './generated/openapi.js';

export interface ClientOptions {
  /** Where alter listens, e.g. `https://alter.internal:4000`. */
  baseUrl: string;
  /** The app's runtime key (`alter_key_…`). */
  runtimeKey: string;
  /** How long one call may take, including reading the answer (default 5000 ms). */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;

type WireError = components['schemas']['Error'];

export interface Answer {
  status: number;
  body: unknown;
}

export function checkOptions(opts: ClientOptions): { baseUrl: string; runtimeKey: string; timeoutMs: number } {
  if (!opts || typeof opts.baseUrl !== 'string' || !/^https?:\/\//.test(opts.baseUrl)) throw new TypeError('baseUrl: the http(s) URL of the alter server is required');
  if (typeof opts.runtimeKey !== 'string' || opts.runtimeKey === '') throw new TypeError('runtimeKey: the app\'s runtime key (alter_key_…) is required');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('timeoutMs: must be a positive number');
  return { baseUrl: opts.baseUrl.replace(/\/+$/, ''), runtimeKey: opts.runtimeKey, timeoutMs };
}

export function errorOf(body: unknown): Partial<WireError['error']> {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error: unknown = body.error;
    if (typeof error === 'object' && error !== null) return error;
  }
  return {};
}

/**
 * Calls alter and answers its status and parsed JSON body for 2xx and for the 4xx the caller
 * understands (`expect`); throws AlterUnavailableError for no answer, a timeout, 5xx, 429 or a body
 * that is not JSON, and AlterConfigError for any other 4xx (a bad runtime key is a 401 `unauthorized`).
 */
export async function call(
  opts: { baseUrl: string; runtimeKey: string; timeoutMs: number },
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  expect: (status: number, body: unknown) => boolean = () => false,
): Promise<Answer> {
  const url = opts.baseUrl + path;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${opts.runtimeKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
    text = await res.text();
  } catch (err) {
    const timedOut = (err as Error | undefined)?.name === 'TimeoutError';
    throw new AlterUnavailableError(timedOut ? `alter did not answer ${method} ${path} within ${opts.timeoutMs} ms` : `alter could not be reached at ${opts.baseUrl}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = errorOf(parsed);
  if (res.status >= 500 || res.status === 429) {
    throw new AlterUnavailableError(`alter answered ${res.status} to ${method} ${path}${error.message ? `: ${error.message}` : ''}`, { status: res.status });
  }
  if (res.status >= 200 && res.status < 300) {
    if (parsed === undefined) throw new AlterUnavailableError(`alter answered ${res.status} to ${method} ${path} with a body that is not JSON: is ${opts.baseUrl} an alter server?`, { status: res.status });
    return { status: res.status, body: parsed };
  }
  if (expect(res.status, parsed)) return { status: res.status, body: parsed };
  const code = typeof error.code === 'string' ? error.code : undefined;
  const hint = code === 'unauthorized' ? ' (check the runtime key: alter keys list)' : res.status === 404 && !code ? ` (is ${opts.baseUrl} an alter server?)` : '';
  throw new AlterConfigError(`alter refused ${method} ${path}: ${res.status}${code ? ` ${code}` : ''}${error.message ? `: ${error.message}` : ''}${hint}`, { status: res.status, ...(code ? { code } : {}) });
}
