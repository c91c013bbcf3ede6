// Small pieces the console's pages are made of. Every one escapes what it is given (html.ts); ids
// are derived from field names so that each label points at its field.
import { html, type Html, type Renderable } from './html.js';

let copyCounter = 0;

/** A read-only field with a Copy button (the button appears only with JavaScript). */
export function copyField(label: string, value: string, id = `copy-${++copyCounter}`): Html {
  return html`<div class="field"><label for="${id}">${label}</label>
<div class="copy"><input id="${id}" type="text" value="${value}" readonly spellcheck="false" autocomplete="off"><button type="button" class="secondary" data-copy="${id}">Copy<span class="visually-hidden"> ${label}</span></button></div></div>`;
}

export interface FieldOptions {
  label: string;
  name: string;
  value?: string | null;
  type?: 'text' | 'url' | 'search' | 'password';
  hint?: Renderable;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
}

export function field(o: FieldOptions): Html {
  const id = `f-${o.name}`;
  const hintId = o.hint ? `${id}-hint` : null;
  return html`<div class="field"><label for="${id}">${o.label}</label>
<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required ? html` required` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''}${hintId ? html` aria-describedby="${hintId}"` : ''} autocomplete="${o.autocomplete ?? 'off'}" spellcheck="false">
${hintId ? html`<span class="hint" id="${hintId}">${o.hint}</span>` : ''}</div>`;
}

export function select(o: { label: string; name: string; value?: string | null; options: Array<[string, string]> }): Html {
  const id = `f-${o.name}`;
  return html`<div class="field"><label for="${id}">${o.label}</label>
<select id="${id}" name="${o.name}">${o.options.map(([v, text]) => html`<option value="${v}"${v === (o.value ?? '') ? html` selected` : ''}>${text}</option>`)}</select></div>`;
}

export function checkbox(o: { label: string; name: string; checked?: boolean }): Html {
  const id = `f-${o.name}`;
  return html`<div class="checkbox"><input id="${id}" type="checkbox" name="${o.name}" value="1"${o.checked ? html` checked` : ''}><label for="${id}">${o.label}</label></div>`;
}

export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export type ButtonVariant = 'primary' | 'secondary' | 'danger';

export function button(label: string, variant: ButtonVariant = 'primary'): Html {
  return html`<button type="submit"${variant === 'primary' ? '' : html` class="${variant}"`}>${label}</button>`;
}

/** A POST form with the session's CSRF token. */
export function postForm(action: string, csrf: string, content: Renderable, opts: { inline?: boolean; label?: string } = {}): Html {
  return html`<form method="post" action="${action}"${opts.inline ? html` class="inline"` : ''}${opts.label ? html` aria-label="${opts.label}"` : ''}>${csrfField(csrf)}${content}</form>`;
}

/** A one-button POST form (e.g. "Run now"). */
export function actionButton(action: string, csrf: string, label: string, variant: ButtonVariant = 'primary', hidden: Record<string, string> = {}): Html {
  return postForm(action, csrf, html`${Object.entries(hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}${button(label, variant)}`, { inline: true });
}

/**
 * The button that leads to a destructive action's confirmation page (Delete, Deprovision, Rotate,
 * Disable, Revoke): a one-button GET form, so it is a button to every user and works without
 * JavaScript; the action itself is posted only from the confirmation page.
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

export function facts(pairs: Array<[string, Renderable]>): Html {
  return html`<dl class="facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? html`<span class="none">none</span>` : v}</dd>`)}</dl>`;
}

export function table(caption: string, headers: string[], rows: Renderable[][], empty = 'Nothing yet.'): Html {
  if (!rows.length) return html`<p class="none">${empty}</p>`;
  return html`<div class="table-wrap"><table><caption class="visually-hidden">${caption}</caption><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table></div>`;
}

export function tags(values: readonly string[], label: string): Html {
  if (!values.length) return html`<span class="none">none</span>`;
  return html`<ul class="tags" aria-label="${label}">${values.map((v) => html`<li>${v}</li>`)}</ul>`;
}

const BADGE_TONES: Record<string, string> = {
  active: 'ok', enabled: 'ok', accepted: 'ok', succeeded: 'ok', applied: 'ok', verified: 'ok', yes: 'ok',
  blocked: 'bad', deprovisioned: 'bad', deleted: 'bad', rejected: 'bad', failed: 'bad', revoked: 'bad',
  disabled: 'warn', aborted: 'warn', running: 'warn', locked: 'warn', dry_run: 'warn',
};

export function badge(text: string): Html {
  const tone = BADGE_TONES[text];
  return html`<span class="badge${tone ? ` ${tone}` : ''}">${text.replace(/_/g, ' ')}</span>`;
}

/** A timestamp as the store holds it (UTC ISO 8601), machine-readable too. */
export function time(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="none">never</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace('Z', ' UTC')}</time>`;
}

export function panel(title: string, content: Renderable, id?: string): Html {
  const hid = id ?? `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return html`<section class="panel" aria-labelledby="${hid}"><h2 id="${hid}">${title}</h2>${content}</section>`;
}

/** The page a destructive action shows before acting: a button, not a typed name. */
export function confirmation(o: { heading: string; message: Renderable; action: string; csrf: string; button: string; cancelHref: string; hidden?: Record<string, string> }): Html {
  return html`<h1>${o.heading}</h1>
<div class="panel"><p>${o.message}</p>
<div class="actions">${actionButton(o.action, o.csrf, o.button, 'danger', o.hidden)}<a href="${o.cancelHref}">Cancel</a></div></div>`;
}
