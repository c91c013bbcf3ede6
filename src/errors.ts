// The one error type of alter. Every failure the server reports or the CLI prints carries a code
// from REGISTRY; the code alone decides the HTTP status and the CLI exit code, so the mapping lives
// here and nowhere else. This module is imported by both programs: keep it dependency-free.

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  unauthenticated: 3,
  notFound: 4,
  conflict: 5,
  rateLimited: 6,
  forbidden: 7,
  rejected: 8,
} as const;

interface ErrorKind {
  status: number;
  exit: number;
}

export const REGISTRY = {
  // 400 — the request itself is wrong; the CLI's own usage errors share the code.
  usage: { status: 400, exit: EXIT.usage },
  invalid_request: { status: 400, exit: EXIT.usage },
  // 401 — management API: no/unknown/revoked/expired personal access token.
  unauthenticated: { status: 401, exit: EXIT.unauthenticated },
  // 401 — runtime API: no/unknown/revoked runtime key (CONTRACT §6 names this code).
  unauthorized: { status: 401, exit: EXIT.unauthenticated },
  // 401 — an end user's token failed verification; `reason` says which check.
  invalid_token: { status: 401, exit: EXIT.rejected },
  // 401 — a webhook delivery failed authenticity.
  webhook_unauthenticated: { status: 401, exit: EXIT.rejected },
  forbidden: { status: 403, exit: EXIT.forbidden },
  not_found: { status: 404, exit: EXIT.notFound },
  file_not_found: { status: 404, exit: EXIT.notFound },
  conflict: { status: 409, exit: EXIT.conflict },
  already_initialized: { status: 409, exit: EXIT.conflict },
  locked: { status: 409, exit: EXIT.conflict },
  payload_too_large: { status: 413, exit: EXIT.usage },
  unsupported_media_type: { status: 415, exit: EXIT.usage },
  // 422 — the content was understood and refused: by alter or by the identity provider.
  rejected: { status: 422, exit: EXIT.rejected },
  issuer_not_allowed: { status: 422, exit: EXIT.rejected },
  discovery_failed: { status: 422, exit: EXIT.rejected },
  wallet_credentials_rejected: { status: 422, exit: EXIT.rejected },
  directory_credentials_rejected: { status: 422, exit: EXIT.rejected },
  // A directory sync run that ended without applying: stopped by a safeguard, or failed.
  sync_aborted: { status: 409, exit: EXIT.conflict },
  sync_failed: { status: 502, exit: EXIT.failure },
  rate_limited: { status: 429, exit: EXIT.rateLimited },
  cancelled: { status: 400, exit: EXIT.failure },
  network: { status: 502, exit: EXIT.failure },
  // 503 — the store (database) could not be reached or could not take the write; nothing was
  // changed, and the answer carries Retry-After. The request may be sent again as it is.
  store_unavailable: { status: 503, exit: EXIT.failure },
  internal: { status: 500, exit: EXIT.failure },
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof REGISTRY;

export class AlterError extends Error {
  readonly code: ErrorCode;
  /** Extra, non-secret fields sent alongside code and message (e.g. `reason`, `field`, `scope`). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AlterError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return REGISTRY[this.code].status;
  }

  get exitCode(): number {
    return REGISTRY[this.code].exit;
  }

  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, ...this.details, message: this.message } };
  }
}

/**
 * An AlterError from any copy of this module. The CLI's bundle holds one, and the compiled server,
 * dev provider and demo modules it imports for a command hold another (scripts/bundle-cli.mjs):
 * their errors fail `instanceof` in the CLI but must keep their code and exit code.
 */
export function isAlterError(err: unknown): err is AlterError {
  return err instanceof AlterError || (err instanceof Error && err.name === 'AlterError' && isErrorCode((err as { code?: unknown }).code));
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(REGISTRY, value);
}

/** Exit code for an error code received from the API; unknown codes fall back to the HTTP status. */
export function exitCodeFor(code: unknown, status: number): number {
  if (isErrorCode(code)) return REGISTRY[code].exit;
  if (status === 401) return EXIT.unauthenticated;
  if (status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 429) return EXIT.rateLimited;
  if (status === 400 || status === 413) return EXIT.usage;
  if (status === 422) return EXIT.rejected;
  return EXIT.failure;
}
