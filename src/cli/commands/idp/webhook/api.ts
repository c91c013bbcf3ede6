// What every `idp webhook` subcommand shares: the management path of the provider's webhook, and
// how a secret shown once is printed (stdout: the object; stderr: the reminder and, for a person
// at a terminal, where to paste it at the provider).
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';

/** Below this, a given static secret (not svix's, which the provider generates) draws a warning. */
const RECOMMENDED_SECRET_LENGTH = 24;

export interface ShownOnce {
  provider_id: string;
  enabled: true;
  url: string;
  scheme: string;
  secret: string;
  next_step?: string;
}

export function webhookPath(ctx: CliContext, cmd: Command, providerId: string, action: 'enable' | 'rotate' | 'disable' | 'status' | 'deliveries'): string {
  const app = encodeURIComponent(ctx.requireApp(cmd));
  return `/v1/apps/${app}/identity-providers/${encodeURIComponent(providerId)}/webhook/${action}`;
}

/** `given`: the secret the operator passed, if any (a short one for a header scheme gets a warning). */
export function printShownOnce(ctx: CliContext, cmd: Command, shown: ShownOnce, nextStepOnTty: boolean, given?: string): void {
  const { next_step: nextStep, ...out } = shown;
  ctx.printObject(cmd, out);
  if (given !== undefined && shown.scheme !== 'svix' && given.length < RECOMMENDED_SECRET_LENGTH) {
    ctx.notice(`warning: the secret is only ${given.length} characters; anyone who guesses it can send lifecycle events. Omit --secret to have a random one generated.`);
  }
  ctx.notice('The secret is shown only once: paste it into the provider now.');
  if (nextStepOnTty && nextStep && ctx.terminal.stderrIsTTY) ctx.notice(`Next: ${nextStep}`);
}
