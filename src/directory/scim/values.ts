// Reading untrusted SCIM JSON. Attribute names are case-insensitive (RFC 7643 §2.1), clients send
// booleans as strings (Entra ID: "True"), and whatever alter keeps must be bounded and safe to store:
// no prototype-polluting keys, no NUL (PostgreSQL refuses it in text), no lone UTF-16 surrogates, no
// unbounded depth (a deep value would overflow the stack of whoever walks it next).
import { badRequest, type ScimError } from './errors.js';

export const MAX_STRING = 1024;
/** Bounds of a value kept as-is (an attribute alter does not model). */
const MAX_DEPTH = 8;
const MAX_NODES = 1000;

/** Keys never copied from client JSON onto an object. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type Bag = Record<string, unknown>;

/** An object without a prototype: a key such as `__proto__` can only ever be its own data. */
export function bag(): Bag {
  return Object.create(null) as Bag;
}

export function isObject(v: unknown): v is Bag {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function invalidValue(detail: string): ScimError {
  return badRequest('invalidValue', detail);
}

/** The own key of `obj` that spells `name` in any case; the exact spelling wins. */
export function keyOf(obj: Bag, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** The value of attribute `name` in any case, or undefined. */
export function field(obj: Bag, name: string): unknown {
  const key = keyOf(obj, name);
  return key === undefined ? undefined : obj[key];
}

// A lone surrogate half: not a character, and not representable in UTF-8.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why a string cannot be stored, or null. */
export function badText(s: string): string | null {
  if (s.length > MAX_STRING) return `is longer than ${MAX_STRING} characters`;
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired surrogate';
  return null;
}

/** A required, non-empty string. */
export function requiredString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw invalidValue(`${what} must be a non-empty string`);
  const bad = badText(v);
  if (bad) throw invalidValue(`${what} ${bad}`);
  return v;
}

/** An optional string: absent, null and "" all mean "not set". */
export function optionalString(v: unknown, what: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  return requiredString(v, what);
}

/** A boolean, or its spelling as a string in any case ("False" from Entra ID). */
export function toBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return null;
}

export function requiredBoolean(v: unknown, what: string): boolean {
  const b = toBoolean(v);
  if (b === null) throw invalidValue(`${what} must be true or false`);
  return b;
}

/**
 * A bounded, prototype-free deep copy of a JSON value: what alter keeps of attributes it does not
 * model. Unsafe keys are dropped; anything not JSON, too deep or too large is refused.
 */
export function jsonCopy(v: unknown, what: string): unknown {
  let nodes = 0;
  const copy = (x: unknown, depth: number): unknown => {
    if (++nodes > MAX_NODES) throw invalidValue(`${what}: more than ${MAX_NODES} values`);
    if (x === null || typeof x === 'boolean') return x;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw invalidValue(`${what}: a number JSON cannot carry`);
      return x;
    }
    if (typeof x === 'string') {
      const bad = badText(x);
      if (bad) throw invalidValue(`${what}: a string ${bad}`);
      return x;
    }
    if (typeof x !== 'object') throw invalidValue(`${what}: not JSON`);
    if (depth >= MAX_DEPTH) throw invalidValue(`${what}: nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(x)) return x.map((item) => copy(item, depth + 1));
    const out = bag();
    for (const [k, item] of Object.entries(x)) {
      if (UNSAFE_KEYS.has(k)) continue;
      const bad = badText(k);
      if (bad) throw invalidValue(`${what}: a key ${bad}`);
      out[k] = copy(item, depth + 1);
    }
    return out;
  };
  return copy(v, 0);
}
