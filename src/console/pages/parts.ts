// Page parts the Webhook, Keys and Audit pages share, built from components.ts.
import { html, type Html, type Renderable } from '../html.js';
import { button, table, type ButtonVariant } from '../components.js';

/**
 * The button that leads to a destructive action's confirmation page (Rotate, Disable, Revoke): a
 * one-button GET form, so it is a button to every user and works without JavaScript; the action
 * itself is posted only from the confirmation page.
 */
export function askFirst(confirmationUrl: string, label: string, variant: ButtonVariant = 'danger'): Html {
  return html`<form method="get" action="${confirmationUrl}" class="inline">${button(label, variant)}</form>`;
}

/**
 * A table with many columns: on a narrow screen it scrolls sideways rather than squeezing its
 * columns, in a region that can take keyboard focus (so it can be scrolled without a pointer).
 */
export function wideTable(caption: string, headers: string[], rows: Renderable[][], empty: string): Html {
  if (!rows.length) return table(caption, headers, rows, empty);
  return html`<div class="wide" role="region" aria-label="${caption}" tabindex="0">${table(caption, headers, rows)}</div>`;
}
