// The app picker (every app the token may see, each a link by its name; a form to create one) and
// an app's overview: its identity provider, webhook health, directory sync, user counts and the
// latest audit entries, each shown only as far as the token's scopes allow.
import { html, type Html } from '../html.js';
import { badge, facts, field, button, panel, postForm, table, time } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';
import { optional, type Optional } from './optional.js';

interface App {
  id: string;
  name: string;
  created_at: string;
}

export interface WebhookStatus {
  enabled: boolean;
  url: string;
  scheme: string;
  events_received: number;
  events_rejected: number;
  last_event_at: string | null;
  warnings: Array<{ code: string; message: string }>;
}

interface SyncStatus {
  enabled: boolean;
  last_run: { status: string; finished_at: string | null } | null;
  next_run_at: string | null;
}

function unavailable(part: Optional<unknown>): Html {
  return part.ok ? html`` : html`<p class="none">${part.message}</p>`;
}

async function overview(c: ConsoleCall): Promise<Html> {
  const app = await c.app();
  const appPath = `/v1/apps/${encodeURIComponent(app.id)}`;
  const provider = await optional(() => c.api<{ id: string; issuer: string; provider_type: string }>('GET', `${appPath}/identity-providers/current`));
  const providerPath = provider.ok ? `${appPath}/identity-providers/${encodeURIComponent(provider.value.id)}` : null;
  const [webhook, sync, summary, audit] = await Promise.all([
    providerPath ? optional(() => c.api<WebhookStatus>('GET', `${providerPath}/webhook/status`)) : null,
    providerPath ? optional(() => c.api<SyncStatus>('GET', `${providerPath}/sync`)) : null,
    optional(() => c.api<{ users: Record<string, number>; groups: number }>('GET', `${appPath}/directory/summary`)),
    optional(() => c.api<{ items: Array<{ at: string; action: string; actor: string; target: string | null }> }>('GET', `/v1/audit?app_id=${encodeURIComponent(app.id)}&limit=5`)),
  ]);
  const appUrl = c.url(`/apps/${encodeURIComponent(app.id)}`);

  const providerPanel = provider.ok
    ? panel('Identity provider', html`${facts([['Issuer', html`<code>${provider.value.issuer}</code>`], ['Type', provider.value.provider_type]])}<p><a href="${appUrl}/identity-provider">See details</a></p>`)
    : panel(
        'Identity provider',
        provider.status === 404
          ? html`<p>No identity provider yet: end users' tokens cannot be resolved.</p><p><a href="${appUrl}/identity-provider">Set it up</a></p>`
          : unavailable(provider),
      );

  const webhookPanel = panel(
    'Webhook',
    !webhook
      ? html`<p class="none">Configure the identity provider first.</p>`
      : webhook.ok
        ? html`${facts([
            ['Status', badge(webhook.value.enabled ? 'enabled' : 'disabled')],
            ['Deliveries accepted', String(webhook.value.events_received)],
            ['Deliveries rejected', String(webhook.value.events_rejected)],
            ['Last delivery', time(webhook.value.last_event_at)],
          ])}${webhook.value.warnings.map((w) => html`<p class="notice warn">${w.message}</p>`)}<p><a href="${appUrl}/webhook">See details</a></p>`
        : unavailable(webhook),
  );

  const syncValue = sync?.ok ? sync.value : null;
  const syncPanel = panel(
    'Directory sync',
    !sync
      ? html`<p class="none">Configure the identity provider first.</p>`
      : syncValue
        ? html`${facts([
            ['Status', badge(syncValue.enabled ? 'enabled' : 'disabled')],
            ['Last run', syncValue.last_run ? html`${badge(syncValue.last_run.status)} ${time(syncValue.last_run.finished_at)}` : html`<span class="none">never</span>`],
            ['Next run', syncValue.enabled ? time(syncValue.next_run_at) : html`<span class="none">not scheduled</span>`],
          ])}<p><a href="${appUrl}/sync">See details</a></p>`
        : unavailable(sync),
  );

  const usersPanel = panel(
    'Users',
    summary.ok
      ? html`<p class="figure">${String(summary.value.users.total ?? 0)}</p>${facts([
          ['Active', String(summary.value.users.active ?? 0)],
          ['Blocked', String(summary.value.users.blocked ?? 0)],
          ['Deprovisioned', String(summary.value.users.deprovisioned ?? 0)],
          ['Groups and roles', String(summary.value.groups)],
        ])}<p><a href="${appUrl}/users">Browse</a></p>`
      : unavailable(summary),
  );

  const auditPanel = panel(
    'Recent activity',
    audit.ok
      ? html`${table('The latest audit entries', ['When', 'Action', 'Actor', 'Target'], audit.value.items.map((e) => [time(e.at), html`<code>${e.action}</code>`, html`<code>${e.actor}</code>`, e.target ? html`<code>${e.target}</code>` : '']), 'Nothing has happened in this app yet.')}<p><a href="${appUrl}/audit">See all activity</a></p>`
      : unavailable(audit),
  );

  return c.render({
    title: 'Overview',
    section: 'overview',
    body: html`<h1>${app.name}</h1><p class="lead">App <code>${app.id}</code></p>
<div class="grid">${providerPanel}${webhookPanel}${syncPanel}${usersPanel}</div>${auditPanel}`,
  });
}

export function appPages(site: ConsoleSite): void {
  site.page('/', async (c) => {
    const { items } = await c.api<{ items: App[] }>('GET', '/v1/apps');
    const canCreate = c.can('dashboard_apps:write') && !c.me.appId;
    return c.render({
      title: 'Apps',
      body: html`<h1>Apps</h1>
${
  items.length
    ? html`<section class="panel" aria-labelledby="apps-title"><h2 id="apps-title">Choose an app</h2><ul class="plain">${items.map(
        (a) => html`<li><a href="${c.url(`/apps/${encodeURIComponent(a.id)}`)}">${a.name}</a> <span class="muted"><code>${a.id}</code></span></li>`,
      )}</ul></section>`
    : html`<p class="none">There are no apps yet.</p>`
}
${canCreate ? panel('Create an app', postForm(c.url('/apps'), c.csrf, html`${field({ label: 'App name', name: 'name', required: true })}${button('Create app')}`)) : ''}`,
    });
  });

  site.action('/apps', async (c) => {
    const created = await c.api<App>('POST', '/v1/apps', { name: c.form.name ?? '' });
    return { redirect: c.url(`/apps/${encodeURIComponent(created.id)}`), flash: { notice: `App “${created.name}” created. Next: set up its identity provider.` } };
  }, { back: (c) => c.url('/') });

  site.page('/apps/:appId', overview);
}
