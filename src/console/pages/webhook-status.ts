// What the Webhook page shows of a provider's receiver, as the API's status and deliveries routes
// report it: whether it is on, where the provider must send to, the counters, the last delivery and
// refusal, warnings, the events worth subscribing to, and the latest deliveries one by one.
import { html, type Html } from '../html.js';
import { badge, copyField, facts, panel, tags, time, wideTable } from '../components.js';
import type { WebhookStatus as OverviewStatus } from './apps.js';

export interface WebhookStatus extends OverviewStatus {
  provider_id: string;
  secret_set_at: string | null;
  last_event_type: string | null;
  last_rejection_at: string | null;
  last_rejection_reason: string | null;
  expected_events: string[];
}

export interface Delivery {
  id: string;
  received_at: string;
  outcome: string;
  event_type: string | null;
  events: number;
  reason: string | null;
}

const SCHEME_NAMES: Record<string, string> = {
  svix: 'Svix signature (Clerk)',
  auth0_log_stream: 'Auth0 log stream (Authorization header)',
  okta_event_hook: 'Okta event hook (Authorization header)',
  authorization_header: 'Authorization header',
};

export function schemeName(scheme: string): string {
  return SCHEME_NAMES[scheme] ?? scheme;
}

export function statusPanel(s: WebhookStatus): Html {
  return panel(
    'Receiver',
    html`${copyField('Webhook URL', s.url, 'webhook-url')}
${facts([
  ['Status', badge(s.enabled ? 'enabled' : 'disabled')],
  ['Scheme', schemeName(s.scheme)],
  ['Secret set', s.enabled ? time(s.secret_set_at) : html`<span class="none">no secret while disabled</span>`],
  ['Accepted', String(s.events_received)],
  ['Rejected', String(s.events_rejected)],
  ['Last delivery', s.last_event_at ? html`${time(s.last_event_at)}${s.last_event_type ? html` <code>${s.last_event_type}</code>` : ''}` : time(null)],
  ['Last rejection', s.last_rejection_at ? html`${time(s.last_rejection_at)}: ${s.last_rejection_reason ?? 'no reason recorded'}` : time(null)],
])}
${s.warnings.map((w) => html`<p class="notice warn">${w.message}</p>`)}
<p class="hint">Subscribe the provider to these events (others are acknowledged and ignored):</p>
${tags(s.expected_events, 'Events to subscribe to')}`,
  );
}

export function deliveriesPanel(items: Delivery[]): Html {
  return panel(
    'Recent deliveries',
    wideTable(
      'The latest deliveries, newest first',
      ['When', 'Outcome', 'Event type', 'Events', 'Reason'],
      items.map((d) => [
        time(d.received_at),
        badge(d.outcome),
        d.event_type ? html`<code class="whole">${d.event_type}</code>` : html`<span class="none">none</span>`,
        String(d.events),
        d.reason ?? '',
      ]),
      'Nothing has arrived yet.',
    ),
  );
}
