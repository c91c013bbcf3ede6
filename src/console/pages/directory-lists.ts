// What the Users list and a group's page share: a table of users (each a link to the user's page,
// named by what identifies them best) and the links between pages of a list.
import { html, type Html } from '../html.js';
import { badge, table, tags, time } from '../components.js';
import type { ConsoleCall } from '../site.js';
import type { DirectoryUser } from '../../store/repos/directory.js';
import { appUrl, queryString } from './directory-paths.js';

/** A user's name, else email, else the external id: what an operator recognises. */
export function userLabel(u: { name: string | null; email: string | null; external_id: string }): string {
  return u.name ?? u.email ?? u.external_id;
}

export function userTable(c: ConsoleCall, caption: string, users: DirectoryUser[], empty: string): Html {
  return table(
    caption,
    ['User', 'External ID', 'Status', 'Groups and roles', 'Last seen'],
    users.map((u) => [
      // The email is part of the link: a user is found by either.
      html`<a href="${appUrl(c, `/users/${encodeURIComponent(u.id)}`)}">${userLabel(u)}${u.name && u.email ? html`<span class="sub">${u.email}</span>` : ''}</a>`,
      html`<code>${u.external_id}</code>`,
      badge(u.status),
      tags([...u.groups, ...u.roles], 'Groups and roles'),
      time(u.last_seen_at),
    ]),
    empty,
  );
}

/**
 * "Next page" (the API's next_cursor) and, past the first page, the way back to it; both keep the
 * list's filters (`keep`), so that paging never loses the search.
 */
export function pager(c: ConsoleCall, keep: Record<string, string | undefined>, nextCursor: string | null): Html {
  const onLaterPage = !!c.query.cursor;
  if (!nextCursor && !onLaterPage) return html``;
  return html`<nav class="pager" aria-label="Pages">
${onLaterPage ? html`<a href="${c.path}${queryString(keep)}">First page</a>` : ''}
${nextCursor ? html`<a href="${c.path}${queryString({ ...keep, cursor: nextCursor })}">Next page</a>` : ''}
</nav>`;
}
