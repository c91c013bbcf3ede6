// `alter idp webhook …`: the receiver that lets a provider tell alter at once when a user is
// deleted, blocked or loses a group.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';
import { withExamples } from '../../../help.js';
import { registerWebhookEnable } from './enable.js';
import { registerWebhookRotate } from './rotate.js';
import { registerWebhookDisable } from './disable.js';
import { registerWebhookStatus } from './status.js';
import { registerWebhookDeliveries } from './deliveries.js';

export function registerWebhook(idp: Command, ctx: CliContext): void {
  const webhook = withExamples(idp.command('webhook').description('receive the provider’s user lifecycle events (deletions, blocks, group changes)'), [
    'alter idp webhook enable --provider idp_0123',
    'alter idp webhook status --provider idp_0123',
  ]);
  for (const register of [registerWebhookEnable, registerWebhookRotate, registerWebhookDisable, registerWebhookStatus, registerWebhookDeliveries]) register(webhook, ctx);
}
