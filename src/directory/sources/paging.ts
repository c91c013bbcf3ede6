// The three ways the management APIs page a list — offsets (Clerk), opaque checkpoints (Auth0) and
// Link headers (Okta) — are one loop: fetch a page, learn where the next one starts, stop when the
// API says there is none.
import { SourceError } from './source.js';
import type { Api } from './http.js';

export interface Page<T, C> {
  items: T[];
  /** Where the next page starts; null when this one was the last. */
  next: C | null;
}

export async function readPages<T, C>(api: Api, first: C, fetchPage: (cursor: C) => Promise<Page<T, C>>, onPage?: (items: T[]) => void): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<C>([first]);
  for (let cursor: C | null = first; cursor !== null; ) {
    const page: Page<T, C> = await fetchPage(cursor);
    for (const item of page.items) all.push(item);
    onPage?.(page.items);
    // A cursor handed out twice would page forever; the list the API gave is not a list.
    if (page.next !== null && seen.has(page.next)) throw new SourceError('bad_answer', `${api.name} handed out the same page cursor twice; the list never ends`);
    if (page.next !== null) seen.add(page.next);
    cursor = page.next;
  }
  return all;
}

/** Offset paging: a page shorter than the limit is the last one. */
export function nextOffset(offset: number, count: number, limit: number): number | null {
  return count < limit ? null : offset + count;
}

/**
 * The rel="next" target of a Link header (RFC 8288; repeated headers arrive joined by ", "). It is
 * followed as given, but only within the API's own origin: the bearer credential goes with it.
 */
export function nextLink(api: Api, headers: Record<string, string>): string | null {
  for (const m of (headers.link ?? '').matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*("[^"]*"|[^;,\s]+)/i.exec(m[2]!)?.[1]?.replaceAll('"', '') ?? '';
    if (!rel.split(/\s+/).includes('next')) continue;
    let target: URL;
    try {
      target = new URL(m[1]!, api.base);
    } catch {
      throw new SourceError('bad_answer', `${api.name} answered with a Link header whose next page is not a URL`);
    }
    const origin = new URL(api.base).origin;
    if (target.origin !== origin) throw new SourceError('bad_answer', `${api.name} pointed the next page at ${target.origin}, not ${origin}; it was not followed`);
    return target.href;
  }
  return null;
}
