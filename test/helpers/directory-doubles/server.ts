// What the three management-API doubles share: a loopback HTTP server, a log of every request, and
// the knobs tests turn to make the API misbehave the way real ones do — a rate-limit storm (with the
// window enforced: a request before the announced reset is refused again and counted as early), a
// page that fails, answers garbage, or is too large. Each provider's double says how its answers,
// errors and rate-limit headers look; its routes are shaped like the real API's.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { onCleanup } from '../env.js';

export interface Answer {
  status: number;
  /** JSON-encoded unless a string. */
  body: unknown;
  headers?: Record<string, string | string[]>;
}

export interface DoubleRequest {
  method: string;
  /** Absolute, with the double's origin. */
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestRecord {
  method: string;
  /** Path and query, percent-decoded: what count() and the knobs match. */
  target: string;
  status: number;
}

export type GarbageKind = 'html' | 'shape' | 'truncated';

/** Bigger than the 8 MiB a source accepts for one page. */
const OVERSIZE_BYTES = 9 * 1_048_576;
// A reset a hair early is the timer's rounding, not a client ignoring the window.
const EARLY_TOLERANCE_MS = 50;

export function json(status: number, body: unknown, headers: Record<string, string | string[]> = {}): Answer {
  return { status, body, headers };
}

/** A deterministic id: `prefix` and `n` padded to `length` characters of base-36 (sorts by n). */
export function seqId(prefix: string, n: number, length: number): string {
  return prefix + n.toString(36).padStart(length - prefix.length, '0');
}

export function opaque(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}

/** Integer query parameter; `fallback` when absent, NaN when not an integer. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : NaN;
}

function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}

export abstract class DirectoryDouble {
  /** http://127.0.0.1:PORT, the api_url tests give the source. */
  origin = '';
  readonly requests: RequestRecord[] = [];
  /** Requests that came after a 429 but before the reset it announced. */
  earlyRequests = 0;

  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private limitedNext = 0;
  private windowResetsAt = 0;
  private faults: Array<{ match: string; status: number; remaining: number }> = [];
  private garbageAt: Array<{ match: string; kind: GarbageKind }> = [];
  private oversizeAt: string[] = [];

  /** The provider's answer to a request that passed every knob. */
  protected abstract route(req: DoubleRequest): Answer | Promise<Answer>;
  /** An error in the provider's own body format. */
  protected abstract error(status: number, message: string): Answer;
  /** A 429 with the provider's headers, announcing `resetAtMs` (whole epoch seconds). */
  protected abstract rateLimited(resetAtMs: number): Answer;

  protected async listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', this.origin);
        const request: DoubleRequest = { method: req.method ?? 'GET', url, path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        const target = decoded(url.pathname + url.search);
        void this.answer(request, target).then(
          (answer) => {
            this.requests.push({ method: request.method, target, status: answer.status });
            const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
            res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
            res.end(body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(err));
          },
        );
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    onCleanup(() => this.close());
  }

  private async answer(req: DoubleRequest, target: string): Promise<Answer> {
    const now = Date.now();
    if (now < this.windowResetsAt - EARLY_TOLERANCE_MS) {
      this.earlyRequests++;
      return this.rateLimited(this.windowResetsAt);
    }
    if (this.limitedNext > 0) {
      this.limitedNext--;
      // About a second ahead, in the whole seconds the headers speak.
      this.windowResetsAt = Math.round((now + 1000) / 1000) * 1000;
      return this.rateLimited(this.windowResetsAt);
    }
    const fault = this.faults.find((f) => target.includes(f.match) && f.remaining !== 0);
    if (fault) {
      fault.remaining--;
      return this.error(fault.status, `fault injected by the test for ${fault.match}`);
    }
    const garbage = this.garbageAt.find((g) => target.includes(g.match));
    if (garbage?.kind === 'html') return { status: 200, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
    if (garbage?.kind === 'truncated') return { status: 200, body: '[{"id":"00u1","status":"ACT' };
    if (garbage) return json(200, { unexpected: true, data: 'not what you asked for' });
    if (this.oversizeAt.some((m) => target.includes(m))) return { status: 200, body: JSON.stringify([{ padding: 'x'.repeat(OVERSIZE_BYTES) }]) };
    return this.route(req);
  }

  /** The next `n` requests (any path) answer 429; so does any request before the announced reset. */
  rateLimitNext(n: number): void {
    this.limitedNext += n;
  }

  /** Requests whose decoded path+query contains `match` answer `status` (`times` times, or always). */
  failPath(match: string, status: number, times = -1): void {
    this.faults.push({ match, status, remaining: times });
  }

  /** Requests matching answer 200 with an HTML page, a JSON body of the wrong shape, or cut-off JSON. */
  garbage(match: string, kind: GarbageKind = 'html'): void {
    this.garbageAt.push({ match, kind });
  }

  /** Requests matching answer a 9 MiB body. */
  oversize(match: string): void {
    this.oversizeAt.push(match);
  }

  clearFaults(): void {
    this.faults = [];
    this.garbageAt = [];
    this.oversizeAt = [];
    this.limitedNext = 0;
  }

  /** How many requests were made whose decoded path+query contains `match` (all, when omitted). */
  count(match = ''): number {
    return this.requests.filter((r) => r.target.includes(match)).length;
  }

  /** Requests per path (query left out). */
  perPath(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) {
      const path = r.target.split('?')[0]!;
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `items` sorted by `key`, the page after cursor `after` (exclusive) and whether more follow. */
export function keysetPage<T>(items: T[], key: (item: T) => string, after: string | null, limit: number): { page: T[]; more: boolean } {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const start = after === null ? 0 : sorted.findIndex((i) => key(i) > after);
  const rest = start < 0 ? [] : sorted.slice(start);
  return { page: rest.slice(0, limit), more: rest.length > limit };
}
