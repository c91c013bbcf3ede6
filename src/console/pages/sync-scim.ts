// SCIM on the Directory sync page: its status (base URL to copy, match attribute, request figures,
// last error, what it manages), "Enable SCIM", and "Rotate token" and "Disable SCIM" behind a
// confirmation. The bearer token is shown once, through the flash, on the page the action returns to.
import { html, type Html } from '../html.js';
import { badge, button, copyField, facts, askFirst, panel, postForm, select, time } from '../components.js';
import type { ConsoleCall, ConsoleSite, Outcome } from '../site.js';
import { appUrl, currentProvider } from './directory-paths.js';
import { confirmedAction } from './confirm.js';

export interface ScimStatus {
  enabled: boolean;
  base_url: string;
  match_attribute: string | null;
  group_name_attribute: string | null;
  token_set_at: string | null;
  requests: number;
  errors: number;
  last_request_at: string | null;
  last_error: string | null;
  users: number;
  groups: number;
}

interface ShownOnce {
  base_url: string;
  token: string;
  match_attribute: string;
}

const SCOPE = 'dashboard_identity_providers:directory';
const syncUrl = (c: ConsoleCall): string => appUrl(c, '/sync');

function enableForm(c: ConsoleCall): Html {
  return postForm(
    appUrl(c, '/sync/scim/enable'),
    c.csrf,
    html`${select({ label: 'Match attribute', name: 'match_attribute', value: 'externalId', options: [['externalId', 'externalId'], ['userName', 'userName']] })}
<p class="hint field-hint">The SCIM attribute that carries what your tokens carry in the user-id claim, so that a pushed user meets the one already known.</p>
${select({ label: 'Group names from', name: 'group_name_attribute', value: 'displayName', options: [['displayName', 'displayName'], ['externalId', 'externalId']] })}
<p class="hint field-hint">externalId for providers whose tokens carry group ids (such as Entra ID’s object ids).</p>
${button('Enable SCIM')}`,
  );
}

export function scimPanel(c: ConsoleCall, s: ScimStatus): Html {
  const may = c.can(SCOPE);
  if (!s.enabled) {
    return panel(
      'SCIM',
      html`<p>${badge('disabled')} With SCIM, the provider pushes users and groups to alter as they change (Okta, Microsoft Entra ID, OneLogin…).</p>${may ? enableForm(c) : ''}`,
    );
  }
  return panel(
    'SCIM',
    html`${copyField('SCIM base URL', s.base_url)}
${facts([
  ['Status', badge('enabled')],
  ['Match attribute', html`<code>${s.match_attribute ?? ''}</code>`],
  ['Group names from', html`<code>${s.group_name_attribute ?? ''}</code>`],
  ['Token issued', time(s.token_set_at)],
  ['Requests', String(s.requests)],
  ['Failed requests', String(s.errors)],
  ['Last request', time(s.last_request_at)],
  ['Last error', s.last_error],
  ['Users it manages', String(s.users)],
  ['Groups it manages', String(s.groups)],
])}
${may ? html`<div class="actions">${askFirst(appUrl(c, '/sync/scim/rotate'), 'Rotate token', 'secondary')}${askFirst(appUrl(c, '/sync/scim/disable'), 'Disable SCIM')}</div>` : ''}`,
  );
}

/** Back to the sync page with the token shown once (never in a URL, gone on reload). */
function tokenShown(c: ConsoleCall, notice: string, shown: ShownOnce): Outcome {
  return {
    redirect: syncUrl(c),
    flash: {
      notice,
      secret: {
        label: 'SCIM bearer token',
        value: shown.token,
        facts: [
          ['SCIM base URL', shown.base_url],
          ['Match attribute', shown.match_attribute],
        ],
        note: 'Give the provider’s SCIM provisioning both the base URL and this token (Okta: Base URL and API Token; Entra ID: Tenant URL and Secret Token).',
      },
    },
  };
}

export function scimPages(site: ConsoleSite): void {
  site.action(
    '/apps/:appId/sync/scim/enable',
    async (c) => {
      const { api } = await currentProvider(c);
      const shown = await c.api<ShownOnce>('POST', `${api}/scim/enable`, { match_attribute: c.form.match_attribute, group_name_attribute: c.form.group_name_attribute });
      return tokenShown(c, 'SCIM enabled.', shown);
    },
    { back: syncUrl },
  );

  confirmedAction(site, {
    path: '/apps/:appId/sync/scim/rotate',
    scope: SCOPE,
    section: 'sync',
    ask: () =>
      Promise.resolve({
        title: 'Rotate the SCIM token',
        heading: 'Rotate the SCIM token?',
        message: 'A new token is shown once, and the current one stops working at once: the provider’s provisioning fails until you give it the new token.',
      }),
    button: 'Rotate token',
    cancel: syncUrl,
    async act(c) {
      const { api } = await currentProvider(c);
      return tokenShown(c, 'SCIM token rotated: the previous token no longer works.', await c.api<ShownOnce>('POST', `${api}/scim/rotate`));
    },
    back: syncUrl,
  });

  confirmedAction(site, {
    path: '/apps/:appId/sync/scim/disable',
    scope: SCOPE,
    section: 'sync',
    ask: () =>
      Promise.resolve({
        title: 'Disable SCIM',
        heading: 'Disable SCIM?',
        message: 'The token stops working and the SCIM endpoints answer 404. The users and groups SCIM created stay as they are.',
      }),
    button: 'Disable SCIM',
    cancel: syncUrl,
    async act(c) {
      const { api } = await currentProvider(c);
      await c.api('POST', `${api}/scim/disable`);
      return { redirect: syncUrl(c), flash: { notice: 'SCIM disabled.' } };
    },
    back: syncUrl,
  });
}
