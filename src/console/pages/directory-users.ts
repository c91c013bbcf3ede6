// The Users section: the app's users with a search, a status filter (and a group filter reached
// from a group's page), paged by the API's cursor; a user's page with facts, groups and roles and
// lifecycle history; Block or Unblock, and Deprovision behind a confirmation, for a token with
// dashboard_directory:write.
import { html, type Html } from '../html.js';
import { actionButton, badge, button, facts, field, askFirst, panel, select, table, tags, time } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';
import type { DirectoryUser, Page } from '../../store/repos/directory.js';
import { appApi, appUrl, queryString } from './directory-paths.js';
import { confirmedAction } from './confirm.js';
import { pager, userLabel, userTable } from './directory-lists.js';

interface UserDetail extends DirectoryUser {
  memberships: Array<{ kind: string; name: string; source: string; since: string }>;
  events: Array<{ at: string; source: string; action: string; detail: unknown }>;
}

const WRITE = 'dashboard_directory:write';
// 'any' rather than '' so that a choice is named by its value as well as its text.
const STATUS_CHOICES: Array<[string, string]> = [
  ['any', 'Any status'],
  ['active', 'Active'],
  ['blocked', 'Blocked'],
  ['deprovisioned', 'Deprovisioned'],
];

const userApi = (c: ConsoleCall): string => `${appApi(c)}/users/${encodeURIComponent(c.params.userId!)}`;
const userUrl = (c: ConsoleCall): string => appUrl(c, `/users/${encodeURIComponent(c.params.userId!)}`);

/** The list's filters as the page's query carries them (empty ones left out). */
function filtersOf(c: ConsoleCall): Record<string, string | undefined> {
  const q = c.query;
  return {
    search: q.search?.trim() || undefined,
    status: q.status && q.status !== 'any' ? q.status : undefined,
    group: q.group || undefined,
    kind: q.group ? q.kind || undefined : undefined,
    limit: q.limit || undefined,
  };
}

function searchForm(c: ConsoleCall, f: Record<string, string | undefined>): Html {
  // The group filter and page size ride along unseen: the search narrows what is already shown.
  const carried = (['group', 'kind', 'limit'] as const).filter((k) => f[k]);
  return html`<form method="get" action="${appUrl(c, '/users')}" class="filters" role="search" aria-label="Find a user">
${field({ label: 'Search', name: 'search', type: 'search', value: f.search, placeholder: 'Name, email or external ID' })}
${select({ label: 'Status', name: 'status', value: f.status ?? 'any', options: STATUS_CHOICES })}
${carried.map((k) => html`<input type="hidden" name="${k}" value="${f[k]}">`)}
${button('Search', 'secondary')}
</form>`;
}

async function usersList(c: ConsoleCall): Promise<Html> {
  const f = filtersOf(c);
  const list = await c.api<Page<DirectoryUser>>('GET', `${appApi(c)}/users${queryString({ ...f, cursor: c.query.cursor })}`);
  const filtered = !!(f.search || f.status || f.group);
  const groupNote = f.group
    ? html`<p class="notice info">Only members of the ${f.kind ?? 'group or role'} <strong>${f.group}</strong>. <a href="${appUrl(c, '/users')}">Show everyone</a></p>`
    : '';
  return c.render({
    title: 'Users',
    section: 'users',
    body: html`<h1>Users</h1>
<p class="lead">Everyone this app's identity provider has vouched for: seen in a resolved token, or told by a webhook, directory sync, SCIM or an operator.</p>
${groupNote}
<div class="panel">
${searchForm(c, f)}
${userTable(c, filtered ? 'Users matching the search, newest first' : 'Users, newest first', list.items, filtered ? 'No user matches.' : 'No users yet: they appear once their tokens are resolved, or through directory sync, SCIM or a webhook.')}
${pager(c, f, list.next_cursor)}
</div>`,
  });
}

/** An event's detail as words: `reason: missing_from_directory`. */
function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return JSON.stringify(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function userActions(c: ConsoleCall, u: UserDetail): Html {
  if (!c.can(WRITE)) return html``;
  if (u.status === 'deprovisioned') return panel('Actions', html`<p class="none">This user is deprovisioned: their tokens are refused.</p>`);
  const url = userUrl(c);
  // Block and Unblock are never on one page: one name contains the other.
  return panel(
    'Actions',
    html`<p class="hint">${u.status === 'blocked' ? 'Unblock lets their tokens through again.' : 'Block refuses their tokens on every server at once, until an operator unblocks them.'} Deprovisioning is final for this user.</p>
<div class="actions">${u.status === 'blocked' ? actionButton(`${url}/unblock`, c.csrf, 'Unblock', 'secondary') : actionButton(`${url}/block`, c.csrf, 'Block', 'secondary')}${askFirst(`${url}/deprovision`, 'Deprovision')}</div>`,
  );
}

async function userPage(c: ConsoleCall): Promise<Html> {
  const u = await c.api<UserDetail>('GET', userApi(c));
  return c.render({
    title: userLabel(u),
    section: 'users',
    body: html`<h1>${userLabel(u)}</h1>
<p><a href="${appUrl(c, '/users')}">Back to the list</a></p>
${panel(
  'Profile',
  facts([
    ['External ID', html`<code>${u.external_id}</code>`],
    ['Email', u.email],
    ['Name', u.name],
    ['Status', badge(u.status)],
    ['Sources', tags(u.sources, 'Sources')],
    ['Last seen', time(u.last_seen_at)],
    ['First seen', time(u.created_at)],
    ['alter ID', html`<code>${u.id}</code>`],
  ]),
)}
${userActions(c, u)}
${panel(
  'Groups and roles',
  table('Memberships, with the source that stated each', ['Kind', 'Name', 'Source', 'Since'], u.memberships.map((m) => [m.kind, m.name, m.source, time(m.since)]), 'In no group and no role.'),
)}
${panel(
  'History',
  table('The latest events, newest first', ['When', 'Source', 'What', 'Detail'], u.events.map((e) => [time(e.at), e.source, e.action.replace(/_/g, ' '), detailText(e.detail)]), 'Nothing has happened to this user yet.'),
)}`,
  });
}

export function usersPages(site: ConsoleSite): void {
  site.page('/apps/:appId/users', usersList);
  site.page('/apps/:appId/users/:userId', userPage);

  const done = { block: 'blocked: their tokens are refused from now on', unblock: 'unblocked: their tokens are accepted again' };
  for (const action of ['block', 'unblock'] as const) {
    site.action(`/apps/:appId/users/:userId/${action}`, async (c) => {
      const u = await c.api<DirectoryUser>('POST', `${userApi(c)}/${action}`);
      return { redirect: userUrl(c), flash: { notice: `${userLabel(u)} ${done[action]}.` } };
    });
  }

  confirmedAction(site, {
    path: '/apps/:appId/users/:userId/deprovision',
    scope: WRITE,
    section: 'users',
    async ask(c) {
      const u = await c.api<DirectoryUser>('GET', userApi(c));
      return {
        title: `Deprovision ${userLabel(u)}`,
        heading: `Deprovision ${userLabel(u)}?`,
        message: html`Their tokens are refused at once on every server, and no webhook, sync run or SCIM request can bring them back: for user <code>${u.external_id}</code> this is final.`,
      };
    },
    button: 'Deprovision',
    cancel: userUrl,
    async act(c) {
      const u = await c.api<DirectoryUser>('POST', `${userApi(c)}/deprovision`);
      return { redirect: userUrl(c), flash: { notice: `${userLabel(u)} deprovisioned.` } };
    },
    back: userUrl,
  });
}
