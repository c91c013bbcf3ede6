// SCIM User and Group bodies (POST, PUT; RFC 7643 §4) mapped to what alter stores. Lenient where
// Okta and Entra ID differ from the RFC (booleans as strings, any case in attribute names), strict
// on types and sizes of what is kept. Attributes alter does not model are kept, bounded, in `extra`.
import { badRequest } from './errors.js';
import { canonicalAttribute, canonicalSubAttribute } from './path.js';
import {
  bag,
  field,
  invalidValue,
  isObject,
  jsonCopy,
  optionalString,
  requiredBoolean,
  requiredString,
  UNSAFE_KEYS,
  type Bag,
} from './values.js';

export const MAX_EMAILS = 100;
export const MAX_MEMBERS = 10_000;

export interface ScimEmail {
  value: string;
  type: string | null;
  primary: boolean;
}

export interface ScimUserFields {
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  formatted: string | null;
  emails: ScimEmail[];
  /** Attributes alter does not model, by canonical name (a prototype-free object). */
  extra: Record<string, unknown>;
}

export interface ScimGroupFields {
  displayName: string;
  externalId: string | null;
  members: string[];
}

// Never kept: the server's own attributes (a client cannot set them), the read-only `groups`, and
// `password` (Okta sends it when password sync is on; alter has no use for a secret).
const NOT_KEPT: ReadonlySet<string> = new Set(['id', 'meta', 'schemas', 'groups', 'password']);

export function userFromScim(body: unknown): ScimUserFields {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'a User must be a JSON object');
  const fields: ScimUserFields = {
    userName: '',
    externalId: null,
    active: true,
    displayName: null,
    givenName: null,
    familyName: null,
    formatted: null,
    emails: [],
    extra: bag(),
  };
  // Kept attributes are copied in one go, so that their bounds hold for all of them together.
  const extra = bag();
  let userName: unknown;
  for (const [key, v] of Object.entries(body)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const name = canonicalAttribute(key);
    if (name === 'userName') userName = v;
    else if (name === 'externalId') fields.externalId = optionalString(v, 'externalId');
    else if (name === 'active') fields.active = v === undefined || v === null ? true : requiredBoolean(v, 'active');
    else if (name === 'displayName') fields.displayName = optionalString(v, 'displayName');
    else if (name === 'name') readName(v, fields, extra);
    else if (name === 'emails') fields.emails = emailsFrom(v);
    else if (!NOT_KEPT.has(name) && v !== undefined && v !== null) extra[name] = v;
  }
  fields.userName = requiredString(userName, 'userName');
  fields.extra = jsonCopy(extra, 'attributes alter does not model') as Bag;
  return fields;
}

/** givenName, familyName and formatted are fields; the other parts of a name are kept in extra. */
function readName(v: unknown, fields: ScimUserFields, extra: Bag): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) throw invalidValue('name must be an object');
  const rest = bag();
  for (const [key, part] of Object.entries(v)) {
    const sub = canonicalSubAttribute(key);
    if (sub === 'givenName') fields.givenName = optionalString(part, 'name.givenName');
    else if (sub === 'familyName') fields.familyName = optionalString(part, 'name.familyName');
    else if (sub === 'formatted') fields.formatted = optionalString(part, 'name.formatted');
    else if (!UNSAFE_KEYS.has(key) && part !== undefined && part !== null) rest[sub] = part;
  }
  if (Object.keys(rest).length > 0) extra.name = rest;
}

/**
 * The emails of a body. One entry per address (a repeated address updates the earlier entry), at
 * most one primary (the last one marked wins: that is the one a PATCH just added), and an entry
 * without a value is dropped (it is what removing `emails[…].value` leaves).
 */
export function emailsFrom(v: unknown): ScimEmail[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidValue('emails must be an array');
  if (v.length > MAX_EMAILS) throw invalidValue(`a user has at most ${MAX_EMAILS} emails`);
  const emails: ScimEmail[] = [];
  const byAddress = new Map<string, number>();
  for (const item of v as unknown[]) {
    if (!isObject(item)) throw invalidValue('each of emails must be an object');
    const value = optionalString(field(item, 'value'), 'emails.value');
    if (value === null) continue;
    const primary = field(item, 'primary');
    const email: ScimEmail = {
      value,
      type: optionalString(field(item, 'type'), 'emails.type'),
      primary: primary === undefined || primary === null ? false : requiredBoolean(primary, 'emails.primary'),
    };
    const seen = byAddress.get(value.toLowerCase());
    if (seen === undefined) byAddress.set(value.toLowerCase(), emails.push(email) - 1);
    else emails[seen] = email;
  }
  const primaryAt = emails.findLastIndex((e) => e.primary);
  return emails.map((e, i) => (e.primary && i !== primaryAt ? { ...e, primary: false } : e));
}

export function groupFromScim(body: unknown): ScimGroupFields {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'a Group must be a JSON object');
  return {
    displayName: requiredString(field(body, 'displayName'), 'displayName'),
    externalId: optionalString(field(body, 'externalId'), 'externalId'),
    members: memberIds(field(body, 'members') ?? []),
  };
}

/**
 * Member ids from `[{"value":"id","display":"…"}]`, as Okta and Entra ID send them (a single such
 * object is accepted too). Duplicates are dropped, order kept.
 */
export function memberIds(v: unknown): string[] {
  if (v === null) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  if (list.length > MAX_MEMBERS) throw invalidValue(`at most ${MAX_MEMBERS} members can be given in one request`);
  const ids = new Set<string>();
  for (const item of list) {
    if (!isObject(item)) throw invalidValue('each member must be an object with a "value"');
    ids.add(requiredString(field(item, 'value'), 'members.value'));
  }
  return [...ids];
}

export function primaryEmail(fields: Pick<ScimUserFields, 'emails'>): string | null {
  const { emails } = fields;
  const email = emails.find((e) => e.primary) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
  return email?.value ?? null;
}

export function displayNameOf(
  fields: Pick<ScimUserFields, 'displayName' | 'formatted' | 'givenName' | 'familyName'>,
): string | null {
  const joined = [fields.givenName, fields.familyName].filter((p) => p !== null).join(' ');
  return fields.displayName ?? fields.formatted ?? (joined === '' ? null : joined);
}

/** The fields as a SCIM User body (without id, meta, schemas): what a PATCH is applied to. */
export function userDocument(fields: ScimUserFields): Bag {
  const doc = jsonCopy(fields.extra, 'attributes alter does not model') as Bag;
  const name = isObject(doc.name) ? doc.name : bag();
  const parts = { givenName: fields.givenName, familyName: fields.familyName, formatted: fields.formatted };
  for (const [part, value] of Object.entries(parts)) if (value !== null) name[part] = value;
  if (Object.keys(name).length > 0) doc.name = name;
  doc.userName = fields.userName;
  doc.active = fields.active;
  if (fields.externalId !== null) doc.externalId = fields.externalId;
  if (fields.displayName !== null) doc.displayName = fields.displayName;
  if (fields.emails.length > 0) {
    doc.emails = fields.emails.map((e) => {
      const email = bag();
      email.value = e.value;
      if (e.type !== null) email.type = e.type;
      email.primary = e.primary;
      return email;
    });
  }
  return doc;
}
