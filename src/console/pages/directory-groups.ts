// The Groups section: the app's groups and roles (kind, name, member count, the source that
// created each), paged by the API's cursor; a group's page with its members, each a link to the
// user's page, and a way to the Users list filtered to them (for search, and past the first 1000).
import { html, type Html } from '../html.js';
import { facts, panel, table, time } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';
import type { DirectoryGroup, DirectoryUser, Page } from '../../store/repos/directory.js';
import { appApi, appUrl, queryString } from './directory-paths.js';
import { pager, userTable } from './directory-lists.js';

interface GroupDetail {
  id: string;
  kind: string;
  name: string;
  source: string;
  created_at: string;
  member_count: number;
  members: DirectoryUser[];
  more_members: boolean;
}

async function groupsList(c: ConsoleCall): Promise<Html> {
  const keep = { limit: c.query.limit || undefined };
  const list = await c.api<Page<DirectoryGroup>>('GET', `${appApi(c)}/groups${queryString({ ...keep, cursor: c.query.cursor })}`);
  return c.render({
    title: 'Groups',
    section: 'groups',
    body: html`<h1>Groups and roles</h1>
<p class="lead">The groups and roles this app's users belong to, as tokens, directory sync, SCIM and webhooks state them.</p>
<div class="panel">
${table(
  'Groups and roles, by kind and name',
  ['Kind', 'Name', 'Members', 'Source', 'First seen'],
  list.items.map((g) => [g.kind, html`<a href="${appUrl(c, `/groups/${encodeURIComponent(g.id)}`)}">${g.name}</a>`, String(g.members), g.source, time(g.created_at)]),
  'No groups or roles yet: they appear with the users who belong to them.',
)}
${pager(c, keep, list.next_cursor)}
</div>`,
  });
}

async function groupPage(c: ConsoleCall): Promise<Html> {
  const g = await c.api<GroupDetail>('GET', `${appApi(c)}/groups/${encodeURIComponent(c.params.groupId!)}`);
  const filtered = appUrl(c, `/users${queryString({ group: g.name, kind: g.kind })}`);
  return c.render({
    title: g.name,
    section: 'groups',
    body: html`<h1>${g.name}</h1>
<p><a href="${appUrl(c, '/groups')}">Back to the list</a></p>
${panel(
  'About',
  facts([
    ['Kind', g.kind],
    ['Members', String(g.member_count)],
    ['Source', g.source],
    ['First seen', time(g.created_at)],
    ['alter ID', html`<code>${g.id}</code>`],
  ]),
)}
${panel(
  'Members',
  html`${g.more_members ? html`<p class="notice warn">Showing the newest ${String(g.members.length)} of ${String(g.member_count)} members.</p>` : ''}
${userTable(c, `Members of the ${g.kind} ${g.name}, newest first`, g.members, 'No members.')}
${g.member_count ? html`<p><a href="${filtered}">Search among its members</a></p>` : ''}`,
)}`,
  });
}

export function groupsPages(site: ConsoleSite): void {
  site.page('/apps/:appId/groups', groupsList);
  site.page('/apps/:appId/groups/:groupId', groupPage);
}
