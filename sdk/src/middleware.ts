// What every framework's middleware decides for a request, before it speaks the framework:
// go on (with the identity, or null when optional and no token) or answer.
//   no token, required        401  WWW-Authenticate: Bearer
//   no token, optional        go on with null (alter is not asked)
//   refused token             401  WWW-Authenticate: Bearer error="invalid_token", error_description="<reason>"
//                                  (also when optional: a client that sent a token must learn it is bad)
//   alter unavailable         503  (fail closed)
//   AlterConfigError          500  (the backend's runtime key or baseUrl is wrong: its bug, not the caller's)
import type { Alter } from './client.js';
import { AlterConfigError, AlterUnavailableError } from './errors.js';
import type { IncomingRequest } from './request.js';
import type { AlterIdentity } from './types.js';

export interface AlterMiddlewareOptions {
  /** Answer 401 to requests without a token (default true). When false they go on with `alter` null. */
  required?: boolean;
  /** Told of every AlterUnavailableError and AlterConfigError (default: console.error for AlterConfigError only). */
  onError?: (err: Error) => void;
}

export type Decision =
  | { next: true; identity: AlterIdentity | null }
  | { next: false; status: number; headers: Record<string, string>; body: { error: { code: string; message: string; reason?: string } } };

const defaultOnError = (err: Error): void => {
  if (err instanceof AlterConfigError) console.error(`[@alter/sdk] ${err.message}`);
};

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

export async function decide(alter: Alter, req: IncomingRequest, options: AlterMiddlewareOptions = {}): Promise<Decision> {
  const required = options.required ?? true;
  const onError = options.onError ?? defaultOnError;
  let result;
  try {
    result = await alter.resolveRequest(req);
  } catch (err) {
    if (err instanceof AlterUnavailableError) {
      onError(err);
      return { next: false, status: 503, headers: { 'retry-after': '1' }, body: { error: { code: 'unavailable', message: 'the identity service cannot be reached: retry in a moment' } } };
    }
    if (err instanceof AlterConfigError) {
      onError(err);
      return { next: false, status: 500, headers: {}, body: { error: { code: 'internal', message: 'this server cannot check identities (misconfigured)' } } };
    }
    throw err;
  }
  if (result.ok) {
    const { ok: _ok, ...identity } = result;
    return { next: true, identity };
  }
  if (result.reason === 'missing_token') {
    if (!required) return { next: true, identity: null };
    return { next: false, status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { error: { code: 'missing_token', message: 'send Authorization: Bearer <token>' } } };
  }
  return {
    next: false,
    status: 401,
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description=${quoted(result.reason)}` },
    body: { error: { code: 'invalid_token', message: `the token was refused: ${result.reason}`, reason: result.reason } },
  };
}
