// The two ways a call to alter can fail other than a refused token. Both mean "no answer": a
// backend must then refuse the request (fail closed), never let it through.

/** alter could not be asked: unreachable, timed out, answered 5xx (or 429), or answered nonsense. Retry later; answer your caller 503. */
export class AlterUnavailableError extends Error {
  override readonly name = 'AlterUnavailableError';
  /** The HTTP status alter answered, when it answered at all. */
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

/** alter refused this backend itself (a bad or revoked runtime key, a wrong baseUrl): a bug or a misconfiguration of the backend, not of the end user. */
export class AlterConfigError extends Error {
  override readonly name = 'AlterConfigError';
  /** The HTTP status alter answered. */
  readonly status: number;
  /** alter's error code (`unauthorized` for a bad runtime key), when it sent one. */
  readonly code: string | undefined;
  constructor(message: string, options: { status: number; code?: string }) {
    super(message);
    this.status = options.status;
    this.code = options.code;
  }
}
