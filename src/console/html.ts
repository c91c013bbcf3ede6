// Auto-escaping HTML templates for the console: `html` is a tagged template whose interpolations
// are escaped unless they are themselves `Html` (another template, or `trusted(...)` for markup
// this code wrote). Arrays are joined, null/undefined/false render nothing. Pages are built only
// from these, never by string concatenation, so a value from the store cannot become markup.

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Renderable = Html | string | number | null | undefined | false | readonly Renderable[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: Renderable): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map((v: Renderable) => render(v)).join('');
  return escape(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Renderable[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Markup written by this code (never data): e.g. a constant fragment. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
