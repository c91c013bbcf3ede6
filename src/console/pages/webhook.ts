// The Webhook page: the receiver's status and latest deliveries (webhook-status.ts), "Enable" (with
// the provider's signing secret when the provider issues it, as Clerk's Svix endpoints do; else
// alter generates one), and "Rotate" and "Disable" behind confirmation pages. A new secret is shown
// once, through the flash of the page the action redirects to.
import { html, type Html } from '../html.js';
import { askFirst, button, confirmation, field, panel, postForm } from '../components.js';
import type { ConsoleCall, ConsoleSite, Outcome } from '../site.js';
import { adapterFor } from '../../idp/webhooks/adapters.js';
import { optional } from './optional.js';
import { confirmedAction } from './confirm.js';
import { deliveriesPanel, schemeName, statusPanel, type Delivery, type WebhookStatus } from './webhook-status.js';

interface ShownOnce {
  url: string;
  scheme: string;
  secret: string;
  next_step?: string;
}

const RECENT_DELIVERIES = 20;

const appApi = (c: ConsoleCall): string => `/v1/apps/${encodeURIComponent(c.params.appId!)}`;
const pageUrl = (c: ConsoleCall): string => c.url(`/apps/${encodeURIComponent(c.params.appId!)}/webhook`);

/** The management path of the webhook of the app's provider (the API's 404 when it has none). */
async function webhookApi(c: ConsoleCall): Promise<string> {
  const provider = await c.api<{ id: string }>('GET', `${appApi(c)}/identity-providers/current`);
  return `${appApi(c)}/identity-providers/${encodeURIComponent(provider.id)}/webhook`;
}

/** Whether the operator must paste the provider's secret (the scheme's adapter cannot make one). */
function providerIssuesSecret(scheme: string): boolean {
  return adapterFor(scheme).generateSecret === null;
}

function secretField(): Html {
  return field({ label: 'Signing secret', name: 'secret', type: 'password', required: true, hint: 'The endpoint’s signing secret as the provider shows it (Clerk: whsec_…).' });
}

function changePanel(c: ConsoleCall, s: WebhookStatus): Html {
  if (s.enabled) {
    return panel(
      'Secret',
      html`<p>Rotating replaces the secret: the current one stops working at once, so give the new one to the provider right after. Disabling refuses every delivery and destroys the secret.</p>
<div class="actions">${askFirst(`${pageUrl(c)}/rotate`, 'Rotate', 'secondary')}${askFirst(`${pageUrl(c)}/disable`, 'Disable')}</div>`,
    );
  }
  const paste = providerIssuesSecret(s.scheme);
  return panel(
    'Turn deliveries on',
    postForm(
      `${pageUrl(c)}/enable`,
      c.csrf,
      html`<p>${paste ? 'Add an endpoint with the URL above at the provider, then paste the signing secret it shows for that endpoint.' : 'alter generates a secret and shows it once, for you to give the provider with the URL above.'}</p>
${paste ? secretField() : ''}${button('Enable')}`,
    ),
  );
}

async function receiver(c: ConsoleCall, api: string): Promise<Html> {
  const status = await optional(() => c.api<WebhookStatus>('GET', `${api}/status`));
  if (!status.ok) return html`<p class="none">The webhook is not shown: ${status.message}.</p>`;
  const { items } = await c.api<{ items: Delivery[] }>('GET', `${api}/deliveries?limit=${RECENT_DELIVERIES}`);
  return html`<p class="lead">The provider tells alter at once when a user is deleted, blocked or loses a group.</p>
${statusPanel(status.value)}${changePanel(c, status.value)}${deliveriesPanel(items)}`;
}

function shownOnce(c: ConsoleCall, s: ShownOnce, notice: string): Outcome {
  return {
    redirect: pageUrl(c),
    flash: {
      notice,
      secret: {
        label: 'Webhook signing secret',
        value: s.secret,
        facts: [
          ['URL', s.url],
          ['Scheme', schemeName(s.scheme)],
        ],
        ...(s.next_step ? { note: s.next_step } : {}),
      },
    },
  };
}

/** The secret typed into the form, if any (a pasted value often ends in a newline). */
function givenSecret(c: ConsoleCall): { secret?: string } {
  const secret = c.form.secret?.trim();
  return secret ? { secret } : {};
}

function rotateConfirmation(c: ConsoleCall, scheme: string): Html {
  const heading = 'Rotate the webhook secret?';
  const consequence = 'The current secret stops working at once: deliveries signed with it are refused until the provider has the new one.';
  if (!providerIssuesSecret(scheme)) {
    return confirmation({ heading, message: `${consequence} alter generates the new secret and shows it once.`, action: `${pageUrl(c)}/rotate`, csrf: c.csrf, button: 'Rotate', cancelHref: pageUrl(c) });
  }
  // The provider makes the new secret: the confirmation carries the field to paste it into.
  return html`<h1>${heading}</h1>
<div class="panel"><p>${consequence} Roll the endpoint’s signing secret at the provider first, then paste the new one here.</p>
${postForm(`${pageUrl(c)}/rotate`, c.csrf, html`${secretField()}<div class="actions">${button('Rotate', 'danger')}<a href="${pageUrl(c)}">Cancel</a></div>`)}</div>`;
}

export function webhookPages(site: ConsoleSite): void {
  site.page('/apps/:appId/webhook', async (c) => {
    const api = await optional(() => webhookApi(c));
    let body: Html;
    if (api.ok) body = await receiver(c, api.value);
    else if (api.status === 404) {
      body = html`<p>This app has no identity provider yet, and deliveries come from it.</p><p><a href="${c.url(`/apps/${encodeURIComponent(c.params.appId!)}/identity-provider`)}">Set up the provider first</a></p>`;
    } else body = html`<p class="none">${api.message}</p>`;
    return c.render({ title: 'Webhook', section: 'webhook', body: html`<h1>Webhook</h1>${body}` });
  });

  site.action('/apps/:appId/webhook/enable', async (c) => {
    const api = await webhookApi(c);
    return shownOnce(c, await c.api<ShownOnce>('POST', `${api}/enable`, givenSecret(c)), 'Webhook enabled.');
  });

  site.page('/apps/:appId/webhook/rotate', async (c) => {
    const status = await c.api<WebhookStatus>('GET', `${await webhookApi(c)}/status`);
    return c.render({ title: 'Rotate the webhook secret', section: 'webhook', body: rotateConfirmation(c, status.scheme) });
  });

  site.action(
    '/apps/:appId/webhook/rotate',
    async (c) => {
      const api = await webhookApi(c);
      return shownOnce(c, await c.api<ShownOnce>('POST', `${api}/rotate`, givenSecret(c)), 'Webhook secret rotated: the previous one no longer works.');
    },
    { back: (c) => `${pageUrl(c)}/rotate` },
  );

  confirmedAction(site, {
    path: '/apps/:appId/webhook/disable',
    scope: 'dashboard_identity_providers:webhooks',
    section: 'webhook',
    async ask(c) {
      // Read first, so that an app without a provider gets the API's 404 rather than a question.
      await webhookApi(c);
      return {
        title: 'Disable the webhook',
        heading: 'Disable the webhook?',
        message: 'Every delivery is refused from now on and the secret is destroyed; enabling again makes a new one. The counters and the delivery log stay.',
      };
    },
    button: 'Disable',
    cancel: pageUrl,
    async act(c) {
      await c.api('POST', `${await webhookApi(c)}/disable`);
      return { redirect: pageUrl(c), flash: { notice: 'Webhook disabled: deliveries are refused and the secret is destroyed.' } };
    },
  });
}
