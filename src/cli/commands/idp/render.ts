// Output shared by the identity-provider commands: the provider object on stdout (the API's
// operator notices go to stderr), a readable key/value table for nested objects, and a spinner
// on stderr while the server talks to the provider.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { renderObject } from '../../io/output.js';

type Obj = Record<string, unknown>;

/** `{a: {b: 1}, c: [{d: 2}]}` → `{"a.b": 1, "c[0].d": 2}`; arrays of plain values stay as they are. */
function flatten(value: Obj, prefix = '', out: Obj = {}): Obj {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) {
      v.forEach((item: unknown, i) => {
        if (typeof item === 'object' && item !== null) flatten(item as Obj, `${name}[${i}]`, out);
        else out[`${name}[${i}]`] = item;
      });
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      flatten(v as Obj, name, out);
    } else {
      out[name] = v;
    }
  }
  return out;
}

/** Prints one object; `--output table` shows nested fields as dotted keys. */
export function printDetail(ctx: CliContext, cmd: Command, obj: Obj): void {
  const g = ctx.globals(cmd);
  if (g.output !== 'table') return ctx.printObject(cmd, obj);
  // --fields picks top-level keys (and rejects unknown ones) before nested ones are spread out.
  const picked = g.fields ? (JSON.parse(renderObject(obj, { output: 'jsonl', fields: g.fields })) as Obj) : obj;
  ctx.out(renderObject(flatten(picked), { output: 'table' }));
}

/** Prints a provider returned by create/update: its notices on stderr, the contract's object on stdout. */
export function printProvider(ctx: CliContext, cmd: Command, result: Obj & { notices?: string[] }): void {
  const { notices, ...provider } = result;
  for (const notice of notices ?? []) ctx.notice(notice);
  printDetail(ctx, cmd, provider);
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Runs `work` with a spinner on stderr, only when stderr is a terminal (never in pipes or logs). */
export async function withSpinner<T>(ctx: CliContext, text: string, work: () => Promise<T>): Promise<T> {
  if (!ctx.terminal.stderrIsTTY) return work();
  let frame = 0;
  const draw = (): void => void process.stderr.write(`\r${FRAMES[frame++ % FRAMES.length] ?? ''} ${text}`);
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    process.stderr.write('\r\x1b[2K');
  }
}
