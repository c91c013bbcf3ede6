// A destructive action of the console (delete the provider, deprovision a user, disable the webhook
// or sync, rotate or disable SCIM, revoke a key): its button leads to a GET page that asks, and only
// that page's button posts. Both live at one path; the question is shown only to a token that may
// act. (Rotating the webhook secret asks on its own page: it may carry a field for the new secret.)
import type { Renderable } from '../html.js';
import { confirmation } from '../components.js';
import type { SectionKey } from '../layout.js';
import type { ConsoleCall, ConsoleSite, Outcome } from '../site.js';
import type { Scope } from '../../scopes.js';
import { AlterError } from '../../errors.js';

export interface ConfirmedAction {
  /** Relative to /console, e.g. '/apps/:appId/users/:userId/deprovision'. */
  path: string;
  scope: Scope;
  section: SectionKey;
  /** The question and what follows from the answer, read from the API when it names the target. */
  ask(c: ConsoleCall): Promise<{ title: string; heading: string; message: Renderable }>;
  button: string;
  /** Where Cancel goes: the page the button was on. */
  cancel(c: ConsoleCall): string;
  act(c: ConsoleCall): Promise<Outcome>;
  /** Where a refusal by the API is shown (default: the parent path). */
  back?(c: ConsoleCall): string;
}

export function confirmedAction(site: ConsoleSite, o: ConfirmedAction): void {
  site.page(o.path, async (c) => {
    // The page offers a button that would only be refused: say so now instead.
    if (!c.can(o.scope)) throw new AlterError('forbidden', `this token lacks the scope ${o.scope}`);
    const { title, heading, message } = await o.ask(c);
    return c.render({ title, section: o.section, body: confirmation({ heading, message, action: c.path, csrf: c.csrf, button: o.button, cancelHref: o.cancel(c) }) });
  });
  site.action(o.path, (c) => o.act(c), o.back ? { back: (c) => o.back!(c) } : {});
}
