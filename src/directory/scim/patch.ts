// SCIM PATCH requests (RFC 7644 §3.5.2) as Okta and Entra ID really send them: `op` in any case,
// path-less operations whose value is a set of attributes (with dotted or URN-prefixed keys), booleans
// as strings, member lists to add and remove. parsePatch checks the shape; the appliers give the
// meaning for a User (the new fields) and for a Group (the changes to make).
import { badRequest, quote } from './errors.js';
import { applyToDocument, type Op } from './document.js';
import type { Filter } from './filter.js';
import { ENTERPRISE_USER_URN, parsePath, type PatchPath } from './path.js';
import { memberIds, MAX_MEMBERS, userDocument, userFromScim, type ScimUserFields } from './resources.js';
import { field, invalidValue, isObject, optionalString, requiredString, UNSAFE_KEYS } from './values.js';

export type { PatchPath } from './path.js';

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_OPERATIONS = 1000;

export interface PatchOp {
  op: Op;
  /** null: the value is a set of attributes (`{"active": false}`). */
  path: PatchPath | null;
  /** undefined when the request had none (only `remove` may omit it). */
  value: unknown;
}

export interface GroupChanges {
  displayName?: string;
  externalId?: string | null;
  /** Apply `replaceMembers` first (when not null), then `add`, then `remove`. */
  add: string[];
  remove: string[];
  replaceMembers: string[] | null;
}

export function parsePatch(body: unknown): PatchOp[] {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'a PATCH body must be a JSON object');
  const schemas = field(body, 'schemas');
  const isPatchOp = (s: unknown) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_URN.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some(isPatchOp)) throw badRequest('invalidSyntax', `schemas must include "${PATCH_OP_URN}"`);
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations)) throw badRequest('invalidSyntax', 'Operations must be an array');
  if (operations.length === 0 || operations.length > MAX_OPERATIONS) {
    throw invalidValue(`Operations must hold 1 to ${MAX_OPERATIONS} operations`);
  }
  return (operations as unknown[]).map(parseOperation);
}

function parseOperation(raw: unknown, index: number): PatchOp {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw badRequest('invalidSyntax', `${where} must be an object`);
  const name = field(raw, 'op');
  const op = typeof name === 'string' ? name.toLowerCase() : null;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw badRequest('invalidSyntax', `${where}.op must be "add", "replace" or "remove"`);
  }
  const rawPath = field(raw, 'path');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') {
    throw badRequest('invalidPath', `${where}.path must be a string`);
  }
  const path = rawPath ? parsePath(rawPath) : null;
  const value = field(raw, 'value');
  if (op !== 'remove' && value === undefined) throw invalidValue(`${where}: "${op}" needs a value`);
  if (path === null) {
    if (op === 'remove' && (value === undefined || value === null)) {
      throw badRequest('noTarget', `${where}: "remove" needs a path`);
    }
    if (!isObject(value)) throw invalidValue(`${where}: without a path, the value must be an object of attributes`);
  }
  return { op, path, value };
}

interface Target {
  op: Op;
  path: PatchPath;
  value: unknown;
  /** Named by a key of a path-less value rather than by a path. */
  fromValue: boolean;
}

/**
 * The operations, one per attribute: a path-less value's keys are paths (`"name.givenName"`). As
 * many as MAX_OPERATIONS in all, so that a value with a million keys is refused, not worked through.
 */
function targetsOf(ops: PatchOp[]): Target[] {
  const all = ops.flatMap(targets);
  if (all.length > MAX_OPERATIONS) throw invalidValue(`a PATCH changes at most ${MAX_OPERATIONS} attributes`);
  return all;
}

function targets(op: PatchOp): Target[] {
  if (op.path !== null) return [{ op: op.op, path: op.path, value: op.value, fromValue: false }];
  const out: Target[] = [];
  for (const [key, value] of Object.entries(op.value as Record<string, unknown>)) {
    if (UNSAFE_KEYS.has(key) || key.toLowerCase() === 'schemas') continue;
    const path = parsePath(key);
    // `{"urn:…:enterprise:2.0:User": {"department": "X"}}` sets attributes of the extension.
    if (path.attribute === ENTERPRISE_USER_URN && path.subAttribute === null && isObject(value)) {
      for (const [sub, v] of Object.entries(value)) {
        if (UNSAFE_KEYS.has(sub)) continue;
        out.push({ op: op.op, path: parsePath(`${ENTERPRISE_USER_URN}:${sub}`), value: v, fromValue: true });
      }
    } else {
      out.push({ op: op.op, path, value, fromValue: true });
    }
  }
  return out;
}

// The server's own attributes: a PATCH may not change them (RFC 7643 §3.1, mutability readOnly).
const READ_ONLY: ReadonlySet<string> = new Set(['id', 'meta', 'schemas']);
// Attributes whose value is a single string or boolean: a sub-attribute or filter on them is no path.
const SIMPLE_USER_ATTRIBUTES: ReadonlySet<string> = new Set(['userName', 'externalId', 'active', 'displayName']);

function mutability(attribute: string): never {
  throw badRequest('mutability', `${attribute} cannot be changed`);
}

function invalidPathOn(path: PatchPath): never {
  throw badRequest('invalidPath', `${quote(path.attribute)} has no sub-attributes or values to select`);
}

/** The user's fields after the operations, in order. `current` is not changed. */
export function applyUserPatch(current: ScimUserFields, ops: PatchOp[]): ScimUserFields {
  const doc = userDocument(current);
  for (const target of targetsOf(ops)) {
    const { op, path, value } = target;
    if (READ_ONLY.has(path.attribute)) mutability(path.attribute);
    // Read-only on a User, and a secret alter does not keep.
    if (path.attribute === 'groups' || path.attribute === 'password') continue;
    if (SIMPLE_USER_ATTRIBUTES.has(path.attribute) && (path.subAttribute !== null || path.filter !== null)) invalidPathOn(path);
    // Without it a user would silently become active again (the default of a new user).
    if (path.attribute === 'active' && op === 'remove') throw invalidValue('active cannot be removed: replace it with false');
    applyToDocument(doc, op, path, value);
  }
  return userFromScim(doc);
}

/** What the operations do to a group; member ids as the client sent them. */
export function groupPatchChanges(ops: PatchOp[]): GroupChanges {
  const changes: GroupChanges = { add: [], remove: [], replaceMembers: null };
  let members = 0;
  const count = (ids: string[]): string[] => {
    members += ids.length;
    if (members > MAX_MEMBERS) throw invalidValue(`at most ${MAX_MEMBERS} members can be given in one request`);
    return ids;
  };
  for (const { op, path, value, fromValue } of targetsOf(ops)) {
    const attribute = path.attribute;
    // Okta puts the group's own id in a path-less replace; it names the group, it does not change it.
    if (attribute === 'id' && fromValue) continue;
    if (READ_ONLY.has(attribute)) mutability(attribute);
    if (attribute !== 'displayName' && attribute !== 'externalId' && attribute !== 'members') continue;
    if (attribute === 'members') {
      membersChange(changes, op, path, value, count);
      continue;
    }
    if (path.subAttribute !== null || path.filter !== null) invalidPathOn(path);
    if (attribute === 'displayName') {
      if (op === 'remove') throw invalidValue('displayName is required and cannot be removed');
      changes.displayName = requiredString(value, 'displayName');
    } else {
      changes.externalId = op === 'remove' ? null : optionalString(value, 'externalId');
    }
  }
  return changes;
}

function membersChange(changes: GroupChanges, op: Op, path: PatchPath, value: unknown, count: (ids: string[]) => string[]): void {
  if (path.subAttribute !== null) invalidPathOn(path);
  if (path.filter !== null) {
    // members[value eq "id"]: the only selection of members a client sends, and only to remove.
    if (op !== 'remove') throw badRequest('invalidPath', `"${op}" cannot select members with a filter`);
    removeMembers(changes, count(selectedIds(path.filter)));
    return;
  }
  if (op === 'remove' && (value === undefined || value === null)) replaceMembers(changes, []);
  else if (op === 'replace') replaceMembers(changes, count(memberIds(value)));
  else if (op === 'add') addMembers(changes, count(memberIds(value)));
  else removeMembers(changes, count(memberIds(value)));
}

function replaceMembers(changes: GroupChanges, ids: string[]): void {
  changes.replaceMembers = ids;
  changes.add = [];
  changes.remove = [];
}
// After a replace, later additions and removals edit the replacing list, so that `add` and `remove`
// stay empty whenever `replaceMembers` is set and the order of the request is kept.
function addMembers(changes: GroupChanges, ids: string[]): void {
  if (changes.replaceMembers !== null) {
    changes.replaceMembers = [...new Set([...changes.replaceMembers, ...ids])];
    return;
  }
  const added = new Set(ids);
  changes.remove = changes.remove.filter((id) => !added.has(id));
  changes.add = [...new Set([...changes.add, ...ids])];
}

function removeMembers(changes: GroupChanges, ids: string[]): void {
  const removed = new Set(ids);
  if (changes.replaceMembers !== null) {
    changes.replaceMembers = changes.replaceMembers.filter((id) => !removed.has(id));
    return;
  }
  changes.add = changes.add.filter((id) => !removed.has(id));
  changes.remove = [...new Set([...changes.remove, ...ids])];
}

/** The ids of `value eq "a"` or `value eq "a" or value eq "b"`; any other selection is refused. */
function selectedIds(filter: Filter): string[] {
  if (filter.kind === 'or') return [...selectedIds(filter.left), ...selectedIds(filter.right)];
  if (filter.kind === 'compare' && filter.attribute === 'value' && filter.op === 'eq' && typeof filter.value === 'string') {
    return [requiredString(filter.value, 'members.value')];
  }
  throw badRequest('invalidFilter', 'members can be selected only by value eq "<id>"');
}
