// The CLI's only way out: a typed-enough HTTP client of the management API on Node's own fetch.
// API errors become AlterErrors carrying the server's code, so exit codes come from the registry.
import { AlterError, EXIT, exitCodeFor, isErrorCode } from '../errors.js';

export interface ApiClientOptions {
  baseUrl: string;
  token: string | null;
  /** Request timeout; discovery against a slow provider may take its full 10 s, so leave room. */
  timeoutMs?: number;
}

export class ApiError extends AlterError {
  readonly httpStatus: number;
  readonly exit: number;
  constructor(status: number, code: unknown, message: string, details: Record<string, unknown>) {
    super(isErrorCode(code) ? code : 'internal', message, details);
    this.httpStatus = status;
    this.exit = exitCodeFor(code, status);
  }
  override get exitCode(): number {
    return this.exit;
  }
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | null;
  private readonly timeoutMs: number;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new AlterError('network', `cannot reach the alter API at ${this.baseUrl}: ${cause} (is \`alter server start\` running? set --api-url or ALTER_API_URL)`);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.ok) throw new AlterError('internal', `the API at ${this.baseUrl} answered ${method} ${path} with something that is not JSON`);
      }
    }
    if (!res.ok) {
      const err = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
      if (err && typeof err.message === 'string') {
        const { code, message, ...details } = err;
        throw new ApiError(res.status, code, message, details);
      }
      throw new ApiError(res.status, undefined, `the API answered ${res.status} ${res.statusText} to ${method} ${path}`, {});
    }
    return parsed as T;
  }
}

export { EXIT };
