// The Identity provider page: with none configured, "Discover" (issuer URL → what was found: type,
// keys, suggested claim mappings, warnings) and then "Create" with the mappings as found or edited;
// with one, its facts, the wallet's redirect URI and logout URL to copy, the claim mappings and
// whether they are locked, an update form, and "Delete" behind a confirmation.
import { html, type Html } from '../html.js';
import { askFirst, badge, button, copyField, facts, field, panel, postForm, table } from '../components.js';
import type { ConsoleCall, ConsoleSite, Outcome } from '../site.js';
import { walletLogoutUrl, walletRedirectUris, type ProviderView } from '../../idp/provider-view.js';
import type { DiscoveryView } from '../../idp/discovery.js';
import { optional } from './optional.js';
import { confirmedAction } from './confirm.js';

type WithNotices = ProviderView & { notices?: string[] };

const appApi = (c: ConsoleCall): string => `/v1/apps/${encodeURIComponent(c.params.appId!)}`;
const pageUrl = (c: ConsoleCall): string => c.url(`/apps/${encodeURIComponent(c.params.appId!)}/identity-provider`);

/** A form field's value: undefined when left empty (the API's default applies). */
function given(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** For claims that may be switched off: empty means "none". */
function orNull(value: string | undefined): string | null {
  return given(value) ?? null;
}

function discoverForm(c: ConsoleCall, issuer = ''): Html {
  return panel(
    'Discover your provider',
    postForm(
      `${pageUrl(c)}/discover`,
      c.csrf,
      html`${field({ label: 'Issuer URL', name: 'issuer_url', type: 'url', value: issuer, required: true, placeholder: 'https://acme.okta.com', hint: 'alter reads its OpenID configuration and keys; nothing is saved until you create.' })}${button('Discover')}`,
    ),
  );
}

function mappingsTable(m: { user_id_claim: string; group_claim: string | null; role_claim: string | null }, locked: boolean | null): Html {
  const rows = [
    ['User id', m.user_id_claim],
    ['Groups', m.group_claim],
    ['Roles', m.role_claim],
  ] as const;
  return table(
    'Claim mappings',
    locked === null ? ['Mapping', 'Claim'] : ['Mapping', 'Claim', 'State'],
    rows.map(([k, v]) => [k, v ? html`<code>${v}</code>` : html`<span class="none">not mapped</span>`, ...(locked === null ? [] : [badge(locked ? 'locked' : 'editable')])]),
  );
}

function walletFields(): Html {
  return html`<h3>Wallet sign-in (optional)</h3>
<p class="hint">A confidential client at the provider lets end users sign in at alter's wallet pages. Give both or neither.</p>
${field({ label: 'Wallet client ID', name: 'wallet_client_id' })}
${field({ label: 'Wallet client secret', name: 'wallet_client_secret', type: 'password', hint: 'Checked with the provider, stored encrypted, never shown again.' })}`;
}

function preview(c: ConsoleCall, found: DiscoveryView, issuerUrl: string): Html {
  const m = found.claim_mappings;
  return html`<h1>Identity provider</h1>
<section class="panel" aria-labelledby="found-title"><h2 id="found-title">Found: ${found.detected_as ?? 'a standard OpenID Connect provider'}</h2>
${facts([
  ['Detected type', badge(found.provider_type)],
  ['Issuer', html`<code>${found.issuer}</code>`],
  ['JWKS URI', html`<code>${found.jwks_uri}</code>`],
  ['Signing keys', found.keys.length ? html`<ul class="plain">${found.keys.map((k) => html`<li><code>${k.kid ?? '(no kid)'}</code> ${k.kty}${k.alg ? ` ${k.alg}` : ''}</li>`)}</ul>` : html`<span class="none">none published</span>`],
  ['Algorithms', found.signing_algorithms.join(', ')],
])}
${found.warnings.length ? html`<h3>Warnings</h3>${found.warnings.map((w) => html`<p class="notice warn">${w.message}</p>`)}` : ''}
<h3>Suggested claim mappings</h3>
${mappingsTable(m, null)}
</section>
${panel(
  'Create the identity provider',
  postForm(
    `${pageUrl(c)}/create`,
    c.csrf,
    html`<input type="hidden" name="issuer_url" value="${issuerUrl}">
${field({ label: 'Audience', name: 'audience', hint: 'The aud value your tokens carry; leave empty to accept any audience.' })}
${field({ label: 'User id claim', name: 'user_id_claim', value: m.user_id_claim, required: true })}
${field({ label: 'Group claim', name: 'group_claim', value: m.group_claim, hint: 'Leave empty if tokens carry no groups.' })}
${field({ label: 'Role claim', name: 'role_claim', value: m.role_claim, hint: 'Leave empty if tokens carry no roles.' })}
${walletFields()}
<div class="actions">${button('Create')}<a href="${pageUrl(c)}">Start over</a></div>`,
  ),
)}`;
}

function configured(c: ConsoleCall, p: ProviderView): Html {
  const canEdit = c.can('dashboard_identity_providers:create');
  const redirectUris = p.wallet?.redirect_uris ?? walletRedirectUris({ publicUrl: c.publicUrl });
  const logoutUrl = p.wallet?.logout_url ?? walletLogoutUrl({ publicUrl: c.publicUrl });
  const m = p.claim_mappings;
  const update = canEdit
    ? panel(
        'Update',
        postForm(
          `${pageUrl(c)}/update`,
          c.csrf,
          html`${field({ label: 'Issuer URL', name: 'issuer_url', type: 'url', value: p.issuer, required: true })}
${field({ label: 'Audience', name: 'audience', value: p.audience, hint: 'Leave empty to accept any audience.' })}
${
  p.claim_mappings_locked
    ? html`<p class="hint">The claim mappings are locked: users have resolved through them. Delete and re-create the provider to change them.</p>`
    : html`${field({ label: 'User id claim', name: 'user_id_claim', value: m.user_id_claim, required: true })}
${field({ label: 'Group claim', name: 'group_claim', value: m.group_claim })}
${field({ label: 'Role claim', name: 'role_claim', value: m.role_claim })}`
}
${walletFields()}
${button('Save changes')}`,
        ),
      )
    : '';
  return html`<h1>Identity provider</h1>
${panel(
  'Provider',
  facts([
    ['Type', badge(p.provider_type)],
    ['Issuer', html`<code>${p.issuer}</code>`],
    ['JWKS URI', html`<code>${p.jwks_uri}</code>`],
    ['Audience', p.audience ? html`<code>${p.audience}</code>` : html`<span class="none">any</span>`],
    ['Provider ID', html`<code>${p.id}</code>`],
    ['Webhook', html`${badge(p.webhook.enabled ? 'enabled' : 'disabled')} <a href="${c.url(`/apps/${encodeURIComponent(p.app_id)}/webhook`)}">Set up deliveries</a>`],
  ]),
)}
${panel(
  'Claim mappings',
  html`${mappingsTable(m, p.claim_mappings_locked)}${p.claim_mappings_locked ? html`<p class="hint">Locked since users have resolved through them, so that a user's id never changes under them.</p>` : ''}`,
)}
${panel(
  'Wallet sign-in',
  html`<p>${p.wallet ? html`Client <code>${p.wallet.client_id}</code>: ${badge(p.wallet.verification)}` : 'Not configured. Register these at the provider, then give the client below.'}</p>
${redirectUris.map((u, i) => copyField(redirectUris.length > 1 ? `Redirect URI ${i + 1}` : 'Redirect URI', u, `redirect-uri-${i}`))}
${copyField('Logout URL', logoutUrl, 'logout-url')}`,
)}
${update}
${
  c.can('dashboard_identity_providers:delete')
    ? panel('Delete', html`<p>Deleting the provider stops all resolution for this app and forgets its users, groups and webhook.</p>${askFirst(`${pageUrl(c)}/delete`, 'Delete')}`)
    : ''
}`;
}

function withNotices(c: ConsoleCall, p: WithNotices, done: string): Outcome {
  const notices = p.notices?.length ? ` ${p.notices.join(' ')}` : '';
  return { redirect: pageUrl(c), flash: { notice: `${done}${notices}` } };
}

export function identityProviderPages(site: ConsoleSite): void {
  site.page('/apps/:appId/identity-provider', async (c) => {
    const current = await optional(() => c.api<ProviderView>('GET', `${appApi(c)}/identity-providers/current`));
    let body: Html;
    if (current.ok) body = configured(c, current.value);
    else if (current.status === 404) {
      body = c.can('dashboard_identity_providers:create')
        ? html`<h1>Identity provider</h1><p class="lead">This app has no identity provider yet. Give its issuer URL: alter finds the rest.</p>${discoverForm(c)}`
        : html`<h1>Identity provider</h1><p class="none">This app has no identity provider, and this token may not create one.</p>`;
    } else body = html`<h1>Identity provider</h1><p class="none">${current.message}</p>`;
    return c.render({ title: 'Identity provider', section: 'identity-provider', body });
  });

  site.action('/apps/:appId/identity-provider/discover', async (c) => {
    const issuerUrl = c.form.issuer_url?.trim() ?? '';
    const found = await c.api<DiscoveryView>('POST', '/v1/identity-providers/discover', { issuer_url: issuerUrl, app_id: c.params.appId });
    return { page: await c.render({ title: 'Identity provider', section: 'identity-provider', body: preview(c, found, issuerUrl) }) };
  });

  site.action('/apps/:appId/identity-provider/create', async (c) => {
    const f = c.form;
    const created = await c.api<WithNotices>('POST', `${appApi(c)}/identity-providers`, {
      issuer_url: f.issuer_url ?? '',
      ...(given(f.audience) ? { audience: given(f.audience) } : {}),
      ...(given(f.user_id_claim) ? { user_id_claim: given(f.user_id_claim) } : {}),
      group_claim: orNull(f.group_claim),
      role_claim: orNull(f.role_claim),
      ...(given(f.wallet_client_id) ? { wallet_client_id: given(f.wallet_client_id) } : {}),
      ...(given(f.wallet_client_secret) ? { wallet_client_secret: given(f.wallet_client_secret) } : {}),
    });
    return withNotices(c, created, 'Identity provider created.');
  });

  site.action('/apps/:appId/identity-provider/update', async (c) => {
    const f = c.form;
    const current = await c.api<ProviderView>('GET', `${appApi(c)}/identity-providers/current`);
    const mappings = current.claim_mappings_locked
      ? {}
      : { ...(given(f.user_id_claim) ? { user_id_claim: given(f.user_id_claim) } : {}), group_claim: orNull(f.group_claim), role_claim: orNull(f.role_claim) };
    const walletId = given(f.wallet_client_id);
    const walletSecret = given(f.wallet_client_secret);
    const updated = await c.api<WithNotices>('PATCH', `${appApi(c)}/identity-providers/${encodeURIComponent(current.id)}`, {
      ...(given(f.issuer_url) ? { issuer_url: given(f.issuer_url) } : {}),
      audience: orNull(f.audience),
      ...mappings,
      ...(walletId ? { wallet_client_id: walletId } : {}),
      ...(walletSecret ? { wallet_client_secret: walletSecret } : {}),
    });
    return withNotices(c, updated, 'Identity provider updated.');
  });

  confirmedAction(site, {
    path: '/apps/:appId/identity-provider/delete',
    scope: 'dashboard_identity_providers:delete',
    section: 'identity-provider',
    async ask(c) {
      const current = await c.api<ProviderView>('GET', `${appApi(c)}/identity-providers/current`);
      return {
        title: 'Delete the identity provider',
        heading: 'Delete the identity provider?',
        message: html`This deletes <code>${current.issuer}</code> from this app: every end user's token is refused from now on, and its users, groups, webhook and sync settings are forgotten. This cannot be undone.`,
      };
    },
    button: 'Delete',
    cancel: pageUrl,
    async act(c) {
      const current = await c.api<ProviderView>('GET', `${appApi(c)}/identity-providers/current`);
      await c.api('DELETE', `${appApi(c)}/identity-providers/${encodeURIComponent(current.id)}`);
      return { redirect: pageUrl(c), flash: { notice: 'Identity provider deleted.' } };
    },
    back: pageUrl,
  });
}
