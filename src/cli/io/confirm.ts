// Asking before destructive actions. A prompt appears only when a person can answer it (stdin and
// stderr are terminals); scripts must say --yes, and are told so.
import { createRequire } from 'node:module';
import type * as Tty from 'node:tty';
import { AlterError } from '../../errors.js';

// node:tty is loaded when a command first asks, not at start-up: it brings node:net and streams,
// which most commands (and every one run from a script, with no terminal) never need.
const require = createRequire(import.meta.url);

export interface Terminal {
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
}

/** Asked of the file descriptors, so that process.stdin is not set up unless a command reads it. */
export function processTerminal(): Terminal {
  const { isatty } = require('node:tty') as typeof Tty;
  return { stdinIsTTY: isatty(0), stderrIsTTY: isatty(2) };
}

export async function confirmOrExit(message: string, opts: { yes?: boolean | undefined; terminal?: Terminal }): Promise<void> {
  if (opts.yes) return;
  const term = opts.terminal ?? processTerminal();
  if (!term.stdinIsTTY || !term.stderrIsTTY) {
    throw new AlterError('usage', `--yes is required when not running interactively (${message})`);
  }
  const { confirm, isCancel } = await import('@clack/prompts');
  const answer = await confirm({ message, initialValue: false, output: process.stderr });
  if (isCancel(answer) || answer !== true) throw new AlterError('cancelled', 'cancelled');
}
