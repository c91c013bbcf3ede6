// The report of `test-token` (and of `discover --sample-token`): a ✓/✗ line per check on a
// terminal, the JSON object otherwise; a token that would be refused exits 8 after the report.
import type { Command } from 'commander';
import { AlterError } from '../../../errors.js';
import type { CliContext } from '../../context.js';

export interface TokenReport {
  valid: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  identity: { user_id: string | null; email: string | null; name: string | null; groups: string[]; roles: string[] };
}

export function renderTokenReport(report: TokenReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(width)}  ${c.detail}`);
  const id = report.identity;
  const show = (v: string | null): string => v ?? '-';
  lines.push(
    '',
    `user_id  ${show(id.user_id)}`,
    `email    ${show(id.email)}`,
    `name     ${show(id.name)}`,
    `groups   ${id.groups.join(', ') || '-'}`,
    `roles    ${id.roles.join(', ') || '-'}`,
    '',
    report.valid ? 'valid: resolve would accept this token' : 'NOT valid: resolve would refuse this token',
  );
  return lines.join('\n') + '\n';
}

/** The refusal that makes the command exit 8, naming the first failed check. */
export function refusal(report: TokenReport): AlterError | null {
  if (report.valid) return null;
  const failed = report.checks.find((c) => !c.ok);
  return new AlterError('rejected', `the token would be refused${failed ? `: ${failed.name}: ${failed.detail}` : ''}`);
}

/**
 * A table by default when stdout is a terminal (people read the ✓/✗), JSON otherwise (scripts
 * parse it); --output overrides either way.
 */
export function printTokenReport(ctx: CliContext, cmd: Command, report: TokenReport): void {
  const { output } = ctx.globals(cmd);
  if (output === 'table' || (output === undefined && process.stdout.isTTY)) ctx.out(renderTokenReport(report));
  else ctx.printObject(cmd, report);
}
