// What every `idp webhook` subcommand shares: the management path of the provider's webhook, and
// how a secret shown once is printed (stdout: the object; stderr: the reminder and, for a person
// at a terminal, where to paste it at the provider).
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';

export interface ShownOnce {
  provider_id: string;
  enabled: true;
  url: string;
  scheme: string;
  secret: string;
  next_step?: string;
}

export function webhookPath(ctx: CliContext, cmd: Command, providerId: string, action: 'enable' | 'rotate' | 'disable' | 'status'): string {
  const app = encodeURIComponent(ctx.requireApp(cmd));
  return `/v1/apps/${app}/identity-providers/${encodeURIComponent(providerId)}/webhook/${action}`;
}

export function printShownOnce(ctx: CliContext, cmd: Command, shown: ShownOnce, nextStepOnTty: boolean): void {
  const { next_step: nextStep, ...out } = shown;
  ctx.printObject(cmd, out);
  ctx.notice('The secret is shown only once: paste it into the provider now.');
  if (nextStepOnTty && nextStep && ctx.terminal.stderrIsTTY) ctx.notice(`Next: ${nextStep}`);
}
