// The Keys page: the app's runtime keys (the app backend's credential for the runtime API), a form
// to mint one, shown once through the flash, and "Revoke" per active key behind a confirmation.
import { html, type Html } from '../html.js';
import { askFirst, badge, button, field, panel, postForm, time, wideTable } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';
import { AlterError } from '../../errors.js';
import { confirmedAction } from './confirm.js';

interface RuntimeKey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const keysApi = (c: ConsoleCall): string => `/v1/apps/${encodeURIComponent(c.params.appId!)}/keys`;
const pageUrl = (c: ConsoleCall): string => c.url(`/apps/${encodeURIComponent(c.params.appId!)}/keys`);
const revokeUrl = (c: ConsoleCall, key: RuntimeKey): string => `${pageUrl(c)}/${encodeURIComponent(key.id)}/revoke`;

async function listKeys(c: ConsoleCall): Promise<RuntimeKey[]> {
  return (await c.api<{ items: RuntimeKey[] }>('GET', keysApi(c))).items;
}

function keysTable(c: ConsoleCall, keys: RuntimeKey[], canRevoke: boolean): Html {
  return wideTable(
    'Runtime keys of this app',
    ['Name', 'Key ID', 'Created', 'Last used', 'State', ...(canRevoke ? ['Action'] : [])],
    keys.map((k) => [
      k.name,
      html`<code>${k.id}</code>`,
      time(k.created_at),
      time(k.last_used_at),
      k.revoked_at ? html`${badge('revoked')} ${time(k.revoked_at)}` : badge('active'),
      ...(canRevoke ? [k.revoked_at ? '' : askFirst(revokeUrl(c, k), 'Revoke')] : []),
    ]),
    'This app has no runtime keys yet.',
  );
}

export function keyPages(site: ConsoleSite): void {
  site.page('/apps/:appId/keys', async (c) => {
    const canWrite = c.can('dashboard_keys:write');
    const keys = await listKeys(c);
    return c.render({
      title: 'Keys',
      section: 'keys',
      body: html`<h1>Runtime keys</h1>
<p class="lead">Your app backend sends a runtime key to resolve end users’ tokens and read the directory.</p>
${panel('Minted keys', keysTable(c, keys, canWrite))}
${canWrite ? panel('Mint a key', postForm(`${pageUrl(c)}/mint`, c.csrf, html`${field({ label: 'Key name', name: 'name', required: true, hint: 'Where it will be used, e.g. “production backend”.' })}${button('Mint key')}`)) : ''}`,
    });
  });

  site.action('/apps/:appId/keys/mint', async (c) => {
    const minted = await c.api<RuntimeKey & { key: string }>('POST', keysApi(c), { name: c.form.name ?? '' });
    return {
      redirect: pageUrl(c),
      flash: {
        notice: `Key “${minted.name}” minted.`,
        secret: {
          label: 'Runtime key',
          value: minted.key,
          facts: [
            ['Name', minted.name],
            ['Key ID', minted.id],
          ],
          note: 'Give it to your app backend, which sends it as “Authorization: Bearer …” to alter’s runtime API.',
        },
      },
    };
  });

  confirmedAction(site, {
    path: '/apps/:appId/keys/:keyId/revoke',
    scope: 'dashboard_keys:write',
    section: 'keys',
    async ask(c) {
      const key = (await listKeys(c)).find((k) => k.id === c.params.keyId);
      if (!key) throw new AlterError('not_found', `key ${c.params.keyId} not found in this app`);
      return {
        title: 'Revoke a key',
        heading: `Revoke the key “${key.name}”?`,
        message: html`Requests that carry <code>${key.id}</code> are refused from now on: the app backend using it stops resolving users until it has a new key. This cannot be undone.`,
      };
    },
    button: 'Revoke',
    cancel: pageUrl,
    async act(c) {
      const revoked = await c.api<RuntimeKey>('POST', `${keysApi(c)}/${encodeURIComponent(c.params.keyId!)}/revoke`);
      return { redirect: pageUrl(c), flash: { notice: `Key “${revoked.name}” revoked: requests with it are refused from now on.` } };
    },
    back: pageUrl,
  });
}
