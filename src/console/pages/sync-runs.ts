// Directory sync runs: "Run now" and "Dry run" start one and lead to its page, which shows how far
// the read has got while it runs (reloading itself every 2 s: a meta refresh, no script needed) and
// then its report: what it changed, or for a dry run or a run stopped by a safeguard, what it would
// have changed. The history table lists past runs, each a link to its page.
import { html, type Html } from '../html.js';
import { actionButton, badge, facts, panel, table, time } from '../components.js';
import type { ConsoleCall, ConsoleSite } from '../site.js';
import type { RunView } from '../../directory/sync-view.js';
import type { SyncCounts } from '../../directory/reconcile.js';
import { appUrl, currentProvider } from './directory-paths.js';

const REFRESH_SECONDS = 2;

const COUNTS: Array<[keyof SyncCounts, string]> = [
  ['users_seen', 'Users read'],
  ['groups_seen', 'Groups read'],
  ['created', 'Users created'],
  ['updated', 'Users updated'],
  ['blocked', 'Users blocked'],
  ['unblocked', 'Users unblocked'],
  ['deprovisioned', 'Users deprovisioned'],
  ['memberships_added', 'Memberships added'],
  ['memberships_removed', 'Memberships removed'],
];

export const runUrl = (c: ConsoleCall, runId: string): string => appUrl(c, `/sync/runs/${encodeURIComponent(runId)}`);

/** "12 users created, 16 memberships added"-like words for a run's changes, and whether they were applied. */
function changes(run: RunView): string {
  if (run.status === 'running') return 'in progress';
  if (run.status === 'failed') return 'nothing applied';
  const parts = COUNTS.filter(([k]) => k !== 'users_seen' && k !== 'groups_seen' && run[k] > 0).map(([k, label]) => `${run[k]} ${label.toLowerCase()}`);
  const words = parts.length ? parts.join(', ') : 'no change';
  return run.status === 'aborted' ? `nothing applied (it would have made: ${words})` : words;
}

export function runButtons(c: ConsoleCall): Html {
  const action = appUrl(c, '/sync/runs');
  return html`<div class="actions">${actionButton(action, c.csrf, 'Run now')}${actionButton(action, c.csrf, 'Dry run', 'secondary', { dry_run: '1' })}</div>
<p class="hint">A dry run reads the whole directory and reports what a run would change, changing nothing.</p>`;
}

export function runHistory(c: ConsoleCall, runs: RunView[]): Html {
  return table(
    'Runs, newest first',
    ['Started', 'Kind', 'Trigger', 'Status', 'Changes'],
    runs.map((r) => [html`<a href="${runUrl(c, r.id)}">${time(r.started_at)}</a>`, r.dry_run ? 'dry run' : 'run', r.trigger, badge(r.status), changes(r)]),
    'No run yet.',
  );
}

/** How far a running run's read has got, from its `progress` ({phase, done, total}). */
function progressText(progress: unknown): string {
  const p = progress as { phase?: string; done?: number; total?: number | null } | null | undefined;
  if (!p?.phase) return 'Starting…';
  return `Reading ${p.phase}: ${p.done ?? 0}${p.total ? ` of ${p.total}` : ''} so far.`;
}

function report(run: RunView): Html {
  // A failed run read nothing it could apply; its error says why.
  if (run.status === 'running' || run.status === 'failed') return html``;
  const applied = run.status === 'succeeded' && !run.dry_run;
  const heading = applied ? 'What it changed' : 'What it would have changed';
  const why = run.dry_run ? 'A dry run changes nothing.' : applied ? '' : 'A safeguard stopped it: nothing of it was applied.';
  return panel(heading, html`${why ? html`<p class="hint">${why}</p>` : ''}${table(heading, ['Change', 'Count'], COUNTS.map(([k, label]) => [label, String(run[k])]))}`, 'report');
}

async function runPage(c: ConsoleCall): Promise<Html> {
  const { api } = await currentProvider(c);
  const run = await c.api<RunView>('GET', `${api}/sync/runs/${encodeURIComponent(c.params.runId!)}`);
  const running = run.status === 'running';
  return c.render({
    title: run.dry_run ? 'Dry run' : 'Sync run',
    section: 'sync',
    ...(running ? { refresh: { url: c.path, seconds: REFRESH_SECONDS } } : {}),
    body: html`<h1>${run.dry_run ? 'Dry run' : 'Sync run'} ${badge(run.status)}</h1>
<p><a href="${appUrl(c, '/sync')}">Back to the status page</a></p>
${running ? html`<p class="notice info" role="status">${progressText(run.progress)} This page reloads every ${String(REFRESH_SECONDS)} seconds until the run ends.</p>` : ''}
${panel(
  'Run',
  facts([
    ['Status', badge(run.status)],
    ['Kind', run.dry_run ? 'dry run: reports, changes nothing' : 'run'],
    ['Trigger', run.trigger],
    ['Started', time(run.started_at)],
    ['Finished', running ? html`<span class="none">not yet</span>` : time(run.finished_at)],
    ...(run.error ? ([['Why it stopped', html`${run.error.message} <code>${run.error.code}</code>`]] as Array<[string, Html]>) : []),
  ]),
)}
${report(run)}`,
  });
}

export function runPages(site: ConsoleSite): void {
  site.action('/apps/:appId/sync/runs', async (c) => {
    const { api } = await currentProvider(c);
    const run = await c.api<RunView>('POST', `${api}/sync/runs`, { dry_run: c.form.dry_run === '1' });
    return { redirect: runUrl(c, run.id) };
  });
  site.page('/apps/:appId/sync/runs/:runId', runPage);
}
