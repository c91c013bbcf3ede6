// `alter dev webhook send`: delivers one lifecycle event to an alter webhook URL the way a
// provider using the generic `authorization_header` scheme does (static secret in the
// Authorization header, body {"events":[…]}), so the quickstart and developers can deprovision a
// test user without a real tenant.
import { Option, type Command } from 'commander';
import type { CliContext } from '../../context.js';
import { withExamples } from '../../help.js';
import { readValueArg } from '../../io/input.js';
import { AlterError } from '../../../errors.js';

export const EVENT_TYPES = ['user.deleted', 'user.blocked', 'user.unblocked', 'user.updated', 'membership.added', 'membership.removed', 'group.deleted'] as const;
const GROUP_EVENTS = new Set<string>(['membership.added', 'membership.removed', 'group.deleted']);

interface SendOpts {
  url: string;
  secret: string;
  type: string;
  user?: string;
  group?: string;
  kind: 'group' | 'role';
  eventId?: string;
}

function eventOf(opts: SendOpts): Record<string, unknown> {
  if (GROUP_EVENTS.has(opts.type) && !opts.group) throw new AlterError('usage', `--group is required for ${opts.type}`);
  if (opts.type !== 'group.deleted' && !opts.user) throw new AlterError('usage', `--user is required for ${opts.type}`);
  return {
    id: opts.eventId ?? `evt_${globalThis.crypto.randomUUID()}`,
    type: opts.type,
    ...(opts.user ? { user_id: opts.user } : {}),
    ...(opts.group ? { group: opts.group, kind: opts.kind } : {}),
    occurred_at: new Date().toISOString(),
  };
}

export function registerDevWebhook(dev: Command, ctx: CliContext): void {
  const webhook = dev.command('webhook').description('send provider lifecycle events to alter, as a provider would');
  withExamples(
    webhook
      .command('send')
      .description('deliver one signed lifecycle event (Authorization header scheme) and print the receiver’s answer')
      .requiredOption('--url <url>', 'the webhook URL (`alter idp webhook status` shows it)')
      .requiredOption('--secret <secret>', 'the webhook secret: - (stdin), @file or the value')
      .addOption(new Option('--type <type>', 'the event type').choices(EVENT_TYPES).makeOptionMandatory())
      .option('--user <id>', 'the user’s external id (their sub)')
      .option('--group <name>', 'the group or role, for membership and group events')
      .addOption(new Option('--kind <kind>', 'what --group names').choices(['group', 'role']).default('group'))
      .option('--event-id <id>', 'the event id (the delivery id alter de-duplicates on; default: random)'),
    [
      'alter dev webhook send --url http://127.0.0.1:8787/v1/webhooks/idp/idp_0123 --secret @webhook.secret --type user.deleted --user alice',
      'alter dev webhook send --url "$URL" --secret - --type membership.removed --user alice --group engineering < webhook.secret',
    ],
  ).action(async (opts: SendOpts, cmd: Command) => {
    if (!URL.canParse(opts.url)) throw new AlterError('usage', `--url: "${opts.url}" is not a URL`);
    const event = eventOf(opts);
    const secret = await readValueArg(opts.secret, '--secret', ctx);
    if (!secret) throw new AlterError('usage', '--secret: the secret is empty');
    let res: Response;
    try {
      res = await fetch(opts.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [event] }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new AlterError('network', `cannot reach ${opts.url}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let response: unknown = text;
    try {
      response = JSON.parse(text);
    } catch {
      // not JSON: shown as text
    }
    ctx.printObject(cmd, { event_id: event.id, type: event.type, status: res.status, response });
    if (!res.ok) throw new AlterError('rejected', `the receiver answered HTTP ${res.status}`);
  });
}
