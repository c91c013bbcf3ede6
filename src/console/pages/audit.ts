// The Audit page: the app's audit log, newest first, a page at a time (the API's cursor carried in
// the page's address), each entry with when, who, what, on what, and its details in one line.
import { html, type Html } from '../html.js';
import { panel, time, wideTable } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';

interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

const PAGE_SIZE = 25;
// Details are small objects of non-secret facts; a long one is cut rather than widening the table.
const DETAILS_MAX = 160;

function summary(details: AuditEntry['details']): Html | string {
  if (!details || !Object.keys(details).length) return html`<span class="none">none</span>`;
  const text = Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > DETAILS_MAX ? `${text.slice(0, DETAILS_MAX - 1)}…` : text;
}

function pager(c: ConsoleCall, pageUrl: string, nextCursor: string | null): Html {
  const links = [
    c.query.cursor ? html`<a href="${pageUrl}">Newest entries</a>` : '',
    nextCursor ? html`<a href="${pageUrl}?cursor=${encodeURIComponent(nextCursor)}">Older entries</a>` : '',
  ];
  return links.some(Boolean) ? html`<nav class="pager" aria-label="Pages of entries">${links}</nav>` : html``;
}

export function auditPages(site: ConsoleSite): void {
  site.page('/apps/:appId/audit', async (c) => {
    const appId = encodeURIComponent(c.params.appId!);
    const query = new URLSearchParams({ app_id: c.params.appId!, limit: String(PAGE_SIZE) });
    if (c.query.cursor) query.set('cursor', c.query.cursor);
    const { items, next_cursor: nextCursor } = await c.api<{ items: AuditEntry[]; next_cursor: string | null }>('GET', `/v1/audit?${query.toString()}`);
    // What happened comes before who did it: on a phone the table scrolls sideways from the left.
    const rows = items.map((e) => [time(e.at), html`<code class="whole">${e.action}</code>`, html`<code>${e.actor}</code>`, e.target ? html`<code>${e.target}</code>` : '', summary(e.details)]);
    return c.render({
      title: 'Audit',
      section: 'audit',
      body: html`<h1>Audit log</h1>
<p class="lead">Every change in this app: who made it and when, newest first.</p>
${panel(
  c.query.cursor ? 'Earlier entries' : 'Latest entries',
  html`${wideTable('Audit entries, newest first', ['When', 'Action', 'Actor', 'Target', 'Details'], rows, c.query.cursor ? 'No older entries.' : 'Nothing has happened in this app yet.')}
${pager(c, c.url(`/apps/${appId}/audit`), nextCursor)}`,
)}`,
    });
  });
}
