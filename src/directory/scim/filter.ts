// SCIM filter expressions (RFC 7644 §3.4.2.2), parsed by recursive descent into a small tree the
// store translates to a query. Only the attributes alter can answer on are accepted, so an unknown
// attribute is a 400 here rather than an empty result later (a client would read an empty result as
// "no such user" and create a duplicate). Operators, keywords and attribute names are
// case-insensitive; names come out in their canonical spelling.
import { badRequest, quote, type ScimError } from './errors.js';
import { badText, toBoolean } from './values.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type Filter =
  | { kind: 'compare'; attribute: string; op: CompareOp; value: FilterValue }
  | { kind: 'present'; attribute: string }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter };

export const MAX_FILTER_LENGTH = 4096;
/** Parentheses, `not (…)` and `[…]` together; bounds the recursion of the parser and its users. */
export const MAX_FILTER_DEPTH = 16;

/** How an attribute compares: 'any' for sub-attributes alter does not model (PATCH paths). */
export type AttrType = 'string' | 'boolean' | 'dateTime' | 'any';
export interface AttrInfo {
  name: string;
  type: AttrType;
}
/** The attribute a path names, or null when it cannot be filtered on. */
export type Resolver = (path: string) => AttrInfo | null;

const CORE_URN = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:user:',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:group:',
} as const;

function table(entries: Array<[string, AttrType]>): Map<string, AttrInfo> {
  return new Map(entries.map(([name, type]) => [name.toLowerCase(), { name, type }]));
}

const USER_ATTRIBUTES = table([
  ['id', 'string'],
  ['userName', 'string'],
  ['externalId', 'string'],
  ['emails.value', 'string'],
  ['displayName', 'string'],
  ['active', 'boolean'],
  ['meta.lastModified', 'dateTime'],
  ['name.givenName', 'string'],
  ['name.familyName', 'string'],
]);
const GROUP_ATTRIBUTES = table([
  ['id', 'string'],
  ['displayName', 'string'],
  ['externalId', 'string'],
  ['members.value', 'string'],
  ['meta.lastModified', 'dateTime'],
]);
// A multi-valued attribute compared as a whole compares its `value` (`emails co "@example.com"`).
USER_ATTRIBUTES.set('emails', { name: 'emails.value', type: 'string' });
GROUP_ATTRIBUTES.set('members', { name: 'members.value', type: 'string' });

function resourceResolver(resource: 'User' | 'Group'): Resolver {
  const attributes = resource === 'User' ? USER_ATTRIBUTES : GROUP_ATTRIBUTES;
  const urn = CORE_URN[resource];
  return (path) => {
    let lower = path.toLowerCase();
    if (lower.startsWith(urn)) lower = lower.slice(urn.length);
    return attributes.get(lower) ?? null;
  };
}

const NAME = /^\$?[A-Za-z][\w$-]*$/;
/** Any well-formed sub-attribute name: the selection in `emails[type eq "work"].value`. */
const anySubAttribute: Resolver = (path) => (NAME.test(path) ? { name: path, type: 'any' } : null);

export function parseFilter(text: string, resource: 'User' | 'Group'): Filter {
  return parse(text, resourceResolver(resource), true);
}

/** The filter inside a PATCH path's brackets (`valFilter`): sub-attributes only, no nested `[…]`. */
export function parseValueFilter(text: string, resolve: Resolver): Filter {
  return parse(text, resolve, false);
}

function fail(detail: string): ScimError {
  return badRequest('invalidFilter', detail);
}

type Token = { kind: '(' | ')' | '[' | ']' | 'string' | 'word'; text: string; pos: number; spaced: boolean };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaced = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      spaced = true;
      continue;
    }
    const pos = i;
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, text: c, pos, spaced });
      i++;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) throw fail(`unterminated string starting at position ${pos}`);
      i++;
      tokens.push({ kind: 'string', text: decodeString(text.slice(pos, i), pos), pos, spaced });
    } else {
      while (i < text.length && !/[\s()[\]"]/.test(text[i] as string)) i++;
      tokens.push({ kind: 'word', text: text.slice(pos, i), pos, spaced });
    }
    spaced = false;
  }
  return tokens;
}

/** A quoted string with JSON's escapes, which is what RFC 7644 specifies. */
function decodeString(raw: string, pos: number): string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw fail(`invalid string at position ${pos}`);
  }
  const s = value as string;
  const bad = badText(s);
  if (bad) throw fail(`the string at position ${pos} ${bad}`);
  return s;
}

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const ORDERING_OPS: ReadonlySet<string> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING_OPS: ReadonlySet<string> = new Set(['co', 'sw', 'ew']);
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

interface Scope {
  resolve: Resolver;
  /** `attr.` inside `attr[…]`: the sub-attributes there are named relative to it. */
  prefix: string;
  /** Whether `attr[…]` may appear: at the top, not inside brackets. */
  valuePaths: boolean;
}

function parse(text: string, resolve: Resolver, valuePaths: boolean): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw fail(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(text);
  if (tokens.length === 0) throw fail('the filter is empty');
  const parser = new Parser(tokens);
  const filter = parser.or({ resolve, prefix: '', valuePaths }, 0);
  parser.expectEnd();
  return filter;
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  // Precedence, loosest first: or, and, not / parentheses / attribute expressions.
  or(scope: Scope, depth: number): Filter {
    let left = this.and(scope, depth);
    while (this.keyword('or')) left = { kind: 'or', left, right: this.and(scope, depth) };
    return left;
  }

  private and(scope: Scope, depth: number): Filter {
    let left = this.unary(scope, depth);
    while (this.keyword('and')) left = { kind: 'and', left, right: this.unary(scope, depth) };
    return left;
  }

  private unary(scope: Scope, depth: number): Filter {
    const t = this.next('an attribute, "not" or "("');
    if (t.kind === 'word' && t.text.toLowerCase() === 'not') {
      this.expect('(', 'after "not"');
      return { kind: 'not', filter: this.group(scope, depth, ')') };
    }
    if (t.kind === '(') return this.group(scope, depth, ')');
    if (t.kind === 'word') return this.attributeExpression(t, scope, depth);
    throw fail(`expected an attribute at position ${t.pos}, found ${describe(t)}`);
  }

  /** What follows an opening parenthesis or bracket, up to its closing one. */
  private group(scope: Scope, depth: number, close: ')' | ']'): Filter {
    if (depth >= MAX_FILTER_DEPTH) throw fail(`the filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
    const inner = this.or(scope, depth + 1);
    this.expect(close, 'to close the group');
    return inner;
  }

  private attributeExpression(attr: Token, scope: Scope, depth: number): Filter {
    if (this.peek()?.kind !== '[') {
      const path = scope.prefix + attr.text;
      return this.comparison(path, scope.resolve(path));
    }
    if (!scope.valuePaths) throw fail(`a "[" cannot appear inside brackets (position ${this.peek()?.pos})`);
    this.i++;
    const sub = this.subAttributeAfterBracket();
    if (sub === null) {
      // members[value eq "x"]: the bracket compares sub-attributes of the attribute before it.
      return this.group({ resolve: scope.resolve, prefix: `${attr.text}.`, valuePaths: false }, depth, ']');
    }
    // emails[type eq "work"].value eq "x": alter keeps no email types, so the selection is checked
    // for syntax and dropped; what is compared is emails.value.
    this.group({ resolve: anySubAttribute, prefix: '', valuePaths: false }, depth, ']');
    this.i++;
    const path = `${attr.text}.${sub}`;
    return this.comparison(path, scope.resolve(path));
  }

  /** The `.sub` right after the `]` matching the current bracket, if any. */
  private subAttributeAfterBracket(): string | null {
    let j = this.i;
    while (j < this.tokens.length && this.tokens[j]?.kind !== ']') j++;
    const after = this.tokens[j + 1];
    return after?.kind === 'word' && !after.spaced && after.text.startsWith('.') ? after.text.slice(1) : null;
  }

  private comparison(path: string, attr: AttrInfo | null): Filter {
    if (attr === null) throw fail(`${quote(path)} is not an attribute that can be filtered on`);
    const opToken = this.next(`an operator after ${quote(path)}`);
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { kind: 'present', attribute: attr.name };
    if (!isCompareOp(op)) throw fail(`expected an operator at position ${opToken.pos}, found ${describe(opToken)}`);
    const value = checkValue(attr, op, this.literal());
    return { kind: 'compare', attribute: attr.name, op, value };
  }

  private literal(): FilterValue {
    const t = this.next('a value');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'word') {
      const lower = t.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (NUMBER.test(t.text)) {
        const n = Number(t.text);
        if (Number.isFinite(n)) return n;
      }
    }
    throw fail(`expected a value at position ${t.pos}, found ${describe(t)}`);
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind !== 'word' || t.text.toLowerCase() !== word) return false;
    this.i++;
    return true;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(expected: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw fail(`the filter ends where ${expected} was expected`);
    return t;
  }

  private expect(kind: Token['kind'], why: string): void {
    const t = this.next(`"${kind}" ${why}`);
    if (t.kind !== kind) throw fail(`expected "${kind}" ${why} at position ${t.pos}, found ${describe(t)}`);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t) throw fail(`unexpected ${describe(t)} at position ${t.pos}`);
  }
}

function isCompareOp(op: string): op is CompareOp {
  return COMPARE_OPS.has(op);
}

function describe(t: Token): string {
  return t.kind === 'word' || t.kind === 'string' ? quote(t.text) : `"${t.kind}"`;
}

/** The value as the attribute's type needs it; a comparison the type does not support is a 400. */
function checkValue(attr: AttrInfo, op: CompareOp, value: FilterValue): FilterValue {
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw fail(`${op} cannot compare with null`);
  }
  switch (attr.type) {
    case 'any':
      // RFC 7644 §3.4.2.2: ordering a boolean is an invalid filter.
      if (typeof value === 'boolean' && ORDERING_OPS.has(op)) throw fail(`${op} cannot compare booleans`);
      return value;
    case 'boolean': {
      const b = toBoolean(value);
      if (b === null) throw fail(`${attr.name} is compared with true or false`);
      if (op !== 'eq' && op !== 'ne') throw fail(`${attr.name} supports only eq, ne and pr`);
      return b;
    }
    case 'string':
      if (typeof value !== 'string') throw fail(`${attr.name} is compared with a string in double quotes`);
      return value;
    case 'dateTime': {
      const t = typeof value === 'string' ? Date.parse(value) : NaN;
      if (Number.isNaN(t)) throw fail(`${attr.name} is compared with a date and time such as "2024-01-31T12:00:00Z"`);
      if (SUBSTRING_OPS.has(op)) throw fail(`${attr.name} supports only eq, ne, gt, ge, lt, le and pr`);
      // One spelling, so that the store compares instants and not text.
      return new Date(t).toISOString();
    }
  }
}
