// Rendering results: single objects default to pretty JSON, lists to a table; `--output` and
// `--fields` apply everywhere. Only results go to stdout; notices go to stderr.
import { AlterError } from '../../errors.js';

export type OutputFormat = 'table' | 'json' | 'jsonl';

export interface OutputOptions {
  output?: OutputFormat | undefined;
  fields?: string[] | undefined;
}

type Obj = Record<string, unknown>;

function pick(obj: Obj, fields: string[] | undefined): Obj {
  if (!fields) return obj;
  const out: Obj = {};
  for (const f of fields) out[f] = obj[f];
  return out;
}

export function checkFields(fields: string[] | undefined, known: string[]): void {
  if (!fields) return;
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length) {
    throw new AlterError('usage', `--fields: unknown field ${unknown.map((f) => JSON.stringify(f)).join(', ')}; known: ${known.join(', ')}`);
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(',');
  return JSON.stringify(v);
}

function table(rows: Obj[], columns: string[]): string {
  const header = columns.map((c) => c.toUpperCase());
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((_, i) => Math.max(header[i]!.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

function keyValue(obj: Obj): string {
  const keys = Object.keys(obj);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cell(obj[k])}`).join('\n') + '\n';
}

/** Renders one object (pretty JSON unless asked otherwise). */
export function renderObject(obj: Obj, opts: OutputOptions): string {
  checkFields(opts.fields, Object.keys(obj));
  const shown = pick(obj, opts.fields);
  switch (opts.output ?? 'json') {
    case 'table':
      return keyValue(shown);
    case 'jsonl':
      return JSON.stringify(shown) + '\n';
    case 'json':
      return JSON.stringify(shown, null, 2) + '\n';
  }
}

/** Renders a list (a table unless asked otherwise); `columns` are the fields a table shows by default. */
export function renderList(items: Obj[], columns: string[], opts: OutputOptions): string {
  const known = [...new Set([...columns, ...items.flatMap((i) => Object.keys(i))])];
  checkFields(opts.fields, known);
  const shown = items.map((i) => pick(i, opts.fields));
  switch (opts.output ?? 'table') {
    case 'table':
      return items.length ? table(shown, opts.fields ?? columns) : '(none)\n';
    case 'jsonl':
      return shown.map((i) => JSON.stringify(i) + '\n').join('');
    case 'json':
      return JSON.stringify(shown, null, 2) + '\n';
  }
}
