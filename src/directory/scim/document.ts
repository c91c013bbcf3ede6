// PATCH operations applied to a resource as SCIM JSON (RFC 7644 §3.5.2), whatever the attribute.
// The user applier turns alter's fields into such a document, applies every operation here, and
// reads the fields back: one set of PATCH semantics for modelled attributes (emails, name) and for
// the ones alter only keeps (phoneNumbers, addresses, the enterprise extension).
//
// The document belongs to the caller and is changed in place; values from the request are copied
// (bounded, prototype-free) before they enter it.
import { badRequest, quote } from './errors.js';
import type { CompareOp, Filter, FilterValue } from './filter.js';
import { ENTERPRISE_USER_URN, MULTI_VALUED, type PatchPath } from './path.js';
import { bag, field, isObject, jsonCopy, keyOf, toBoolean, type Bag } from './values.js';

export type Op = 'add' | 'replace' | 'remove';

export function applyToDocument(doc: Bag, op: Op, path: PatchPath, value: unknown): void {
  const { container, name } = locate(doc, path.attribute);
  const key = keyOf(container, name) ?? name;
  const what = quote(path.attribute);
  const v = value === undefined ? undefined : jsonCopy(value, what);
  const next = update(container[key], op, path, v, MULTI_VALUED.has(name));
  // Bounded after every operation, not only at the end: a thousand operations that each add a
  // thousand values must not grow one attribute into a million before anything checks it.
  if (next === undefined) delete container[key];
  else container[key] = jsonCopy(next, what);
}

/** The enterprise extension's attributes live in their own object, as SCIM renders them. */
function locate(doc: Bag, attribute: string): { container: Bag; name: string } {
  const prefix = `${ENTERPRISE_USER_URN}:`;
  if (!attribute.startsWith(prefix)) return { container: doc, name: attribute };
  const key = keyOf(doc, ENTERPRISE_USER_URN) ?? ENTERPRISE_USER_URN;
  const extension = doc[key];
  const container = isObject(extension) ? extension : bag();
  doc[key] = container;
  return { container, name: attribute.slice(prefix.length) };
}

function update(current: unknown, op: Op, path: PatchPath, v: unknown, multiValued: boolean): unknown {
  if (path.filter) return updateSelected(asList(current) ?? [], op, path.filter, path.subAttribute, v);
  if (path.subAttribute !== null) return updateSubAttribute(current, op, path.subAttribute, v);
  switch (op) {
    case 'remove':
      // `remove` with a value (Entra ID: members, emails) takes out those values only.
      return v === undefined || v === null ? undefined : without(current, v);
    case 'add': {
      const list = asList(current);
      if (list) return [...list, ...(asList(v) ?? [v])];
      if (current == null && multiValued && !Array.isArray(v)) return [v];
      return merged(current, v);
    }
    case 'replace':
      return merged(current, v);
  }
}

function asList(v: unknown): unknown[] | null {
  return Array.isArray(v) ? (v as unknown[]) : null;
}

/** Replacing or adding to a complex attribute sets the sub-attributes given and keeps the others. */
function merged(current: unknown, v: unknown): unknown {
  if (!isObject(current) || !isObject(v)) return v;
  for (const [k, item] of Object.entries(v)) current[keyOf(current, k) ?? k] = item;
  return current;
}

function without(current: unknown, v: unknown): unknown {
  if (!Array.isArray(current)) return undefined;
  const gone = (Array.isArray(v) ? v : [v]).map(identity);
  return current.filter((item) => !gone.some((g) => g !== undefined && g === identity(item)));
}

/** What identifies one value of a multi-valued attribute: its `value`, compared case-insensitively. */
function identity(item: unknown): unknown {
  const v = isObject(item) ? field(item, 'value') : item;
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** `emails.value` without a filter: the primary value, else the first, else a new one. */
function updateSubAttribute(current: unknown, op: Op, sub: string, v: unknown): unknown {
  const list = asList(current);
  if (list) {
    const target = list.find((item) => isObject(item) && toBoolean(field(item, 'primary')) === true) ?? list[0];
    if (isObject(target)) setSubAttribute(target, op, sub, v);
    else if (op !== 'remove') list.push(withSubAttribute(bag(), sub, v));
    return list;
  }
  const target = isObject(current) ? current : bag();
  setSubAttribute(target, op, sub, v);
  return target;
}

function setSubAttribute(target: Bag, op: Op, sub: string, v: unknown): void {
  const key = keyOf(target, sub) ?? sub;
  if (op === 'remove') delete target[key];
  else target[key] = merged(target[key], v);
}

function withSubAttribute(target: Bag, sub: string, v: unknown): Bag {
  target[sub] = v;
  return target;
}

/** `emails[type eq "work"]…`: the values the filter selects. */
function updateSelected(list: unknown[], op: Op, filter: Filter, sub: string | null, v: unknown): unknown[] {
  if (sub === null && op !== 'remove' && !isObject(v)) throw badRequest('invalidValue', 'a value selected by a filter must be set to an object');
  const selected = new Set(list.filter((item): item is Bag => isObject(item) && matches(filter, item)));
  if (op === 'remove' && sub === null) return list.filter((item) => !selected.has(item as Bag));
  if (selected.size === 0) return op === 'remove' ? list : [...list, created(filter, sub, v)];
  for (const item of selected) {
    if (sub !== null) setSubAttribute(item, op, sub, v);
    else if (op === 'add') merged(item, v);
  }
  // RFC 7644 §3.5.2.3: replacing selected values without a sub-attribute replaces them whole.
  return op === 'replace' && sub === null ? list.map((item) => (selected.has(item as Bag) ? v : item)) : list;
}

/**
 * Entra ID adds `emails[type eq "work"].value` to a user who has no work email: the new value is
 * what the filter's equalities describe. A filter that describes no single value selects nothing.
 */
function created(filter: Filter, sub: string | null, v: unknown): Bag {
  const item = equalities(filter);
  if (item === null) throw badRequest('noTarget', 'the filter selects no value and does not describe a new one');
  return sub === null ? (merged(item, v) as Bag) : withSubAttribute(item, sub, v);
}

function equalities(filter: Filter): Bag | null {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null) {
    return withSubAttribute(bag(), filter.attribute, filter.value);
  }
  if (filter.kind !== 'and') return null;
  const left = equalities(filter.left);
  const right = equalities(filter.right);
  return left && right ? (merged(left, right) as Bag) : null;
}

/** Whether one value of a multi-valued attribute satisfies a filter (strings are caseExact=false). */
function matches(filter: Filter, item: unknown): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, item) && matches(filter.right, item);
    case 'or':
      return matches(filter.left, item) || matches(filter.right, item);
    case 'not':
      return !matches(filter.filter, item);
    case 'present': {
      const v = isObject(item) ? field(item, filter.attribute) : undefined;
      return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
    }
    case 'compare':
      return compare(isObject(item) ? field(item, filter.attribute) : undefined, filter.op, filter.value);
  }
}

function compare(actual: unknown, op: CompareOp, expected: FilterValue): boolean {
  if (expected === null || actual === undefined || actual === null) {
    const equal = expected === null && (actual === undefined || actual === null);
    return op === 'eq' ? equal : op === 'ne' ? !equal : false;
  }
  if (typeof expected === 'boolean') {
    const equal = toBoolean(actual) === expected;
    return op === 'eq' ? equal : op === 'ne' ? !equal : false;
  }
  let a: string | number;
  let e: string | number;
  if (typeof expected === 'number' && typeof actual === 'number') [a, e] = [actual, expected];
  else if (typeof expected === 'string' && typeof actual === 'string') [a, e] = [actual.toLowerCase(), expected.toLowerCase()];
  else return op === 'ne';
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return typeof a === 'string' && a.includes(e as string);
    case 'sw':
      return typeof a === 'string' && a.startsWith(e as string);
    case 'ew':
      return typeof a === 'string' && a.endsWith(e as string);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}
