import type { Command } from 'commander';

/** Appends an "Examples:" section to a command's --help. */
export function withExamples(cmd: Command, examples: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}

/** Parses "30d", "12h", "15m", "90s", "2w" into seconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const n = Number(m[1]) * unit;
  return n > 0 ? n : undefined;
}
