// A command group's subcommands are added only when commander dispatches to the group: `alter
// --help` then builds fifteen commands instead of every one of them, which was a fifth of the
// CLI's start-up. The group itself (name, aliases, description, examples) is declared at once, so
// top-level help, suggestions for a mistyped command and aliases are unchanged.
import type { Command } from 'commander';

const pending = new WeakMap<Command, () => void>();

/** Adds `group`'s subcommands (by `add`) when the group is about to run, or when all are asked for. */
export function deferSubcommands(group: Command, add: () => void): void {
  pending.set(group, add);
}

/** Adds the subcommands deferred for `cmd`, if they are not there yet. */
export function addDeferredSubcommands(cmd: Command): void {
  const add = pending.get(cmd);
  if (!add) return;
  pending.delete(cmd);
  add();
}

/** The whole tree, for what walks every command (shell completion, tests). */
export function withAllSubcommands(program: Command): Command {
  for (const cmd of program.commands) {
    addDeferredSubcommands(cmd);
    withAllSubcommands(cmd);
  }
  return program;
}
