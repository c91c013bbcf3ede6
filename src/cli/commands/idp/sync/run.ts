// `alter idp sync run --provider ID [--dry-run] [--force]`: starts a run on the server, follows it
// (a progress line on a terminal), prints the finished run, and exits by its outcome: 0 succeeded,
// 8 credentials refused, 5 aborted by a safeguard, 1 any other failure.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { AlterError } from '../../../../errors.js';
import { syncPath, type RunObject } from './api.js';

const POLL_MS = 300;

/** The error a run that did not succeed exits with, after the run has been printed. */
function outcomeError(run: RunObject): AlterError | null {
  if (run.status === 'succeeded') return null;
  const why = run.error?.message ?? 'no reason given';
  if (run.status === 'aborted') return new AlterError('sync_aborted', `the run was aborted by a safeguard: ${why}`);
  if (run.error?.code === 'credentials_refused') return new AlterError('directory_credentials_rejected', `the provider refused the credentials: ${why}`);
  return new AlterError('sync_failed', `the run failed: ${why}`);
}

function progressLine(run: RunObject, started: number): string {
  const p = run.progress;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (!p) return `syncing… ${seconds}s`;
  const of = p.total ? `/${p.total.toLocaleString('en')}` : '';
  return `syncing: reading ${p.phase} ${p.done.toLocaleString('en')}${of} · ${seconds}s`;
}

export function registerSyncRun(sync: Command, ctx: CliContext): void {
  withExamples(
    sync
      .command('run')
      .description('sync now and print the run (what it changed, or would with --dry-run)')
      .requiredOption('--provider <id>', 'the identity provider (idp_…)')
      .option('--dry-run', 'report what the run would change; change nothing')
      .option('--force', 'apply a run even if it deprovisions more users than the deletion threshold'),
    ['alter idp sync run --provider idp_0123 --dry-run', 'alter idp sync run --provider idp_0123 --force'],
  ).action(async (opts: { provider: string; dryRun?: boolean; force?: boolean }, cmd: Command) => {
    const client = ctx.client(cmd);
    const started = Date.now();
    let run = await client.post<RunObject>(syncPath(ctx, cmd, opts.provider, '/runs'), { dry_run: !!opts.dryRun, force: !!opts.force });
    const tty = ctx.terminal.stderrIsTTY;
    try {
      while (run.status === 'running') {
        if (tty) process.stderr.write(`\r\x1b[2K${progressLine(run, started)}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
        run = await client.get<RunObject>(syncPath(ctx, cmd, opts.provider, `/runs/${encodeURIComponent(run.id)}`));
      }
    } finally {
      if (tty) process.stderr.write('\r\x1b[2K');
    }
    const { progress: _progress, ...finished } = run;
    ctx.printObject(cmd, finished);
    const failure = outcomeError(run);
    if (failure) throw failure;
  });
}
