// The Directory sync section: for the app's identity provider, directory sync (status, warnings,
// "Run now", "Dry run", the run history (sync-runs.ts), the settings and "Disable sync" behind a
// confirmation, or the form that enables it with the credentials the provider type takes,
// sync-settings.ts) and SCIM (sync-scim.ts).
// Everything here needs dashboard_identity_providers:directory; without it the page says so.
import { html, type Html } from '../html.js';
import { badge, button, facts, askFirst, panel, postForm, time } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';
import type { ProviderView } from '../../idp/provider-view.js';
import type { RunView } from '../../directory/sync-view.js';
import { optional, type Optional } from './optional.js';
import { appUrl, currentProvider } from './directory-paths.js';
import { confirmedAction } from './confirm.js';
import { credentialsFrom, settingsFields, syncable } from './sync-settings.js';
import { runButtons, runHistory, runPages, runUrl } from './sync-runs.js';
import { scimPages, scimPanel, type ScimStatus } from './sync-scim.js';

interface SyncStatus {
  enabled: boolean;
  verification: string | null;
  interval: string | null;
  deletion_threshold: string | null;
  last_run: RunView | null;
  next_run_at: string | null;
  warnings: Array<{ code: string; message: string }>;
}

type WithNotices = SyncStatus & { notices?: string[] };

const SCOPE = 'dashboard_identity_providers:directory';
const syncUrl = (c: ConsoleCall): string => appUrl(c, '/sync');

function syncStatusPanel(c: ConsoleCall, s: SyncStatus): Html {
  const last = s.last_run;
  return panel(
    'Directory sync',
    html`${facts([
      ['Status', badge('enabled')],
      ['Credentials', badge(s.verification ?? 'unverified')],
      ['Interval', s.interval],
      ['Deletion threshold', s.deletion_threshold],
      ['Last run', last ? html`${badge(last.status)} <a href="${runUrl(c, last.id)}">${time(last.started_at)}</a>` : html`<span class="none">never</span>`],
      ['Next run', time(s.next_run_at)],
    ])}
${s.warnings.map((w) => html`<p class="notice warn">${w.message}</p>`)}
${c.can(SCOPE) ? runButtons(c) : ''}`,
  );
}

function settingsPanel(c: ConsoleCall, p: ProviderView, s: SyncStatus): Html {
  if (!c.can(SCOPE)) return html``;
  return panel(
    'Settings',
    html`${postForm(`${syncUrl(c)}/update`, c.csrf, html`${settingsFields(p.provider_type, { interval: s.interval ?? '', deletion_threshold: s.deletion_threshold ?? '' })}${button('Save settings', 'secondary')}`)}
<h3>Stop syncing</h3>
<p>Disabling stops the runs and forgets the credentials; the synced users stay.</p>${askFirst(`${syncUrl(c)}/disable`, 'Disable sync')}`,
  );
}

function disabledSync(c: ConsoleCall, p: ProviderView): Html {
  if (!syncable(p.provider_type)) {
    return panel(
      'Directory sync',
      html`<p>${badge('disabled')} Directory sync reads the management API of Auth0, Clerk or Okta. This provider is <code>${p.provider_type}</code>: keep its directory current with SCIM (below) or its webhook.</p>`,
    );
  }
  return panel(
    'Directory sync',
    html`<p>${badge('disabled')} Directory sync reads every user, group and role from the provider’s management API on a schedule: new users appear before they sign in, and users removed at the provider are deprovisioned here.</p>
${c.can(SCOPE) ? postForm(`${syncUrl(c)}/enable`, c.csrf, html`${settingsFields(p.provider_type)}${button('Enable sync')}`) : ''}`,
  );
}

/** One sentence for a part of the page the token may not see (the API's 403 or 404). */
function unavailable(part: Optional<unknown>): Html {
  return part.ok ? html`` : html`<p class="none">${part.message}</p>`;
}

async function syncPage(c: ConsoleCall): Promise<Html> {
  const current = await optional(() => currentProvider(c));
  let body: Html;
  if (!current.ok) {
    body =
      current.status === 404
        ? html`<p>This app has no identity provider yet: directory sync and SCIM keep its users current, so they need one.</p><p><a href="${appUrl(c, '/identity-provider')}">Set it up</a></p>`
        : unavailable(current);
  } else {
    const { provider, api } = current.value;
    const [sync, runs, scim] = await Promise.all([
      optional(() => c.api<SyncStatus>('GET', `${api}/sync`)),
      optional(() => c.api<{ items: RunView[] }>('GET', `${api}/sync/runs?limit=20`)),
      optional(() => c.api<ScimStatus>('GET', `${api}/scim/status`)),
    ]);
    // All three need the same scope: a token without it gets one sentence, not three.
    body = !sync.ok
      ? panel('Not available to this token', unavailable(sync))
      : html`${sync.value.enabled ? syncStatusPanel(c, sync.value) : disabledSync(c, provider)}
${runs.ok && (sync.value.enabled || runs.value.items.length) ? panel('Run history', runHistory(c, runs.value.items)) : unavailable(runs)}
${sync.value.enabled ? settingsPanel(c, provider, sync.value) : ''}
${scim.ok ? scimPanel(c, scim.value) : unavailable(scim)}`;
  }
  return c.render({
    title: 'Directory sync',
    section: 'sync',
    body: html`<h1>Directory sync and SCIM</h1>${body}`,
  });
}

export function syncPages(site: ConsoleSite): void {
  site.page('/apps/:appId/sync', syncPage);

  site.action('/apps/:appId/sync/enable', async (c) => {
    const { provider, api } = await currentProvider(c);
    const enabled = await c.api<WithNotices>('POST', `${api}/sync/enable`, {
      credentials: credentialsFrom(provider.provider_type, c.form) ?? {},
      interval: c.form.interval?.trim() || undefined,
      deletion_threshold: c.form.deletion_threshold?.trim() || undefined,
    });
    return { redirect: syncUrl(c), flash: { notice: ['Directory sync enabled.', ...(enabled.notices ?? [])].join(' ') } };
  });

  site.action('/apps/:appId/sync/update', async (c) => {
    const { provider, api } = await currentProvider(c);
    const credentials = credentialsFrom(provider.provider_type, c.form);
    const updated = await c.api<WithNotices>('POST', `${api}/sync/update`, {
      ...(credentials ? { credentials } : {}),
      interval: c.form.interval?.trim() || undefined,
      deletion_threshold: c.form.deletion_threshold?.trim() || undefined,
    });
    return { redirect: syncUrl(c), flash: { notice: ['Settings saved.', ...(updated.notices ?? [])].join(' ') } };
  });

  confirmedAction(site, {
    path: '/apps/:appId/sync/disable',
    scope: SCOPE,
    section: 'sync',
    ask: () =>
      Promise.resolve({
        title: 'Disable directory sync',
        heading: 'Disable directory sync?',
        message: 'Scheduled runs stop and the saved credentials are deleted. The users it synced stay, and no longer change with the provider’s directory.',
      }),
    button: 'Disable sync',
    cancel: syncUrl,
    async act(c) {
      const { api } = await currentProvider(c);
      await c.api('POST', `${api}/sync/disable`);
      return { redirect: syncUrl(c), flash: { notice: 'Directory sync disabled.' } };
    },
  });

  runPages(site);
  scimPages(site);
}
