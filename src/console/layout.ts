// The console's page shell: title, the header with who is signed in and "Sign out", an app's
// section navigation, the flash (notice, error, a secret shown once) and the main landmark.
// Styles and the optional script come from /console/assets (the CSP allows nothing inline).
import { html, type Html, type Renderable } from './html.js';
import type { Flash } from './session.js';
import { copyField } from './components.js';

export const SECTIONS = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'identity-provider', label: 'Identity provider', path: '/identity-provider' },
  { key: 'webhook', label: 'Webhook', path: '/webhook' },
  { key: 'users', label: 'Users', path: '/users' },
  { key: 'groups', label: 'Groups', path: '/groups' },
  { key: 'sync', label: 'Directory sync', path: '/sync' },
  { key: 'keys', label: 'Keys', path: '/keys' },
  { key: 'audit', label: 'Audit', path: '/audit' },
] as const;

export type SectionKey = (typeof SECTIONS)[number]['key'];

export interface ShellApp {
  id: string;
  name: string;
}

export interface Shell {
  title: string;
  /** Base of console URLs (e.g. "/console", or "/alter/console" behind a path prefix). */
  base: string;
  /** Signed-in token, for the header; absent on the sign-in page. */
  signedIn?: { name: string | null; tokenId: string; csrf: string };
  app?: ShellApp;
  section?: SectionKey;
  flash?: Flash | null;
  /** A page that moves on (or reloads) by itself after `seconds`: a meta refresh, no script needed. */
  refresh?: { url: string; seconds: number };
}

function flashBlock(flash: Flash | null | undefined): Html {
  if (!flash) return html``;
  const secret = flash.secret;
  return html`${flash.notice ? html`<p class="notice ok" role="status">${flash.notice}</p>` : ''}
${flash.error ? html`<div class="notice error" role="alert">${flash.error}</div>` : ''}
${
  secret
    ? html`<section class="secret" data-shown-once aria-labelledby="secret-title">
<h2 id="secret-title">Copy it now: it is shown only once</h2>
<p>alter keeps only an encrypted or hashed copy and cannot show it again.</p>
${copyField(secret.label, secret.value, 'shown-once-secret')}
${secret.facts?.length ? html`<dl class="facts">${secret.facts.map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}</dl>` : ''}
${secret.note ? html`<p class="hint">${secret.note}</p>` : ''}
</section>`
      : ''
}`;
}

function sectionNav(shell: Shell): Html {
  const app = shell.app;
  if (!app) return html``;
  const appBase = `${shell.base}/apps/${encodeURIComponent(app.id)}`;
  return html`<nav class="sections" aria-label="App sections">
<p class="app-name">${app.name}</p>
<ul>
${SECTIONS.map((s) => html`<li><a href="${appBase}${s.path}"${s.key === shell.section ? html` aria-current="page"` : ''}>${s.label}</a></li>`)}
</ul>
<p class="all-apps"><a href="${shell.base}/">All apps</a></p>
</nav>`;
}

export function page(shell: Shell, body: Renderable): Html {
  const who = shell.signedIn;
  const title = shell.app ? `${shell.title} · ${shell.app.name} · alter console` : `${shell.title} · alter console`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${shell.refresh ? html`<meta http-equiv="refresh" content="${String(shell.refresh.seconds)}; url=${shell.refresh.url}">` : ''}
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${shell.base}/assets/console.css">
<script src="${shell.base}/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="${shell.base}/"><span class="mark" aria-hidden="true">a</span><span>alter console</span></a>
${
  who
    ? html`<div class="who"><span>Signed in as <strong>${who.name ?? who.tokenId}</strong></span>
<form method="post" action="${shell.base}/sign-out"><input type="hidden" name="csrf" value="${who.csrf}"><button class="secondary" type="submit">Sign out</button></form></div>`
    : ''
}
</header>
<div class="layout${shell.app ? '' : ' single'}">
${sectionNav(shell)}
<main id="main" tabindex="-1">
${flashBlock(shell.flash)}
${body}
</main>
</div>
</body>
</html>
`;
}
