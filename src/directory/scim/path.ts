// PATCH paths (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, each
// optionally prefixed by a schema URN. Names come out in their canonical spelling, so that the
// appliers and the bag of attributes alter does not model see one key per attribute whatever case
// the client used. Unknown attributes are well-formed paths: Okta and Entra ID send many alter
// ignores, and they must not fail the request.
import { badRequest, quote, type ScimError } from './errors.js';
import { MAX_FILTER_LENGTH, parseValueFilter, type AttrInfo, type Filter } from './filter.js';

export interface PatchPath {
  /** Canonical name; prefixed by its schema URN when that is an extension (`urn:…:User:manager`). */
  attribute: string;
  subAttribute: string | null;
  filter: Filter | null;
}

export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_URNS = ['urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:core:2.0:group'];

function spellings(names: string[]): Map<string, string> {
  return new Map(names.map((n) => [n.toLowerCase(), n]));
}

// RFC 7643 §4 and the enterprise extension: every attribute a client may name.
const ATTRIBUTES = spellings([
  'id', 'externalId', 'meta', 'schemas', 'userName', 'name', 'displayName', 'nickName', 'profileUrl',
  'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'password', 'emails',
  'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
  'members', 'employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager',
]);
const SUB_ATTRIBUTES = spellings([
  'givenName', 'familyName', 'formatted', 'middleName', 'honorificPrefix', 'honorificSuffix', 'value',
  'type', 'primary', 'display', '$ref', 'streetAddress', 'locality', 'region', 'postalCode', 'country',
  'displayName', 'lastModified', 'created', 'resourceType', 'location', 'version',
]);
const BOOLEAN_SUB_ATTRIBUTES: ReadonlySet<string> = new Set(['primary']);
const STRING_SUB_ATTRIBUTES: ReadonlySet<string> = new Set(['value', 'type', 'display', '$ref']);

/** Multi-valued attributes: adding one value to them appends rather than replaces. */
export const MULTI_VALUED: ReadonlySet<string> = new Set([
  'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles',
  'x509Certificates', 'members',
]);

const NAME = /^\$?[A-Za-z][\w$-]*$/;
const URN = /^urn:[\w.:~%+-]*$/i;

function invalidPath(detail: string): ScimError {
  return badRequest('invalidPath', detail);
}

/** A core attribute's spelling, or the enterprise extension's URN (a key of a User body). */
export function canonicalAttribute(name: string): string {
  const lower = name.toLowerCase();
  if (lower === ENTERPRISE_USER_URN.toLowerCase()) return ENTERPRISE_USER_URN;
  return ATTRIBUTES.get(lower) ?? name;
}

export function canonicalSubAttribute(name: string): string {
  return SUB_ATTRIBUTES.get(name.toLowerCase()) ?? name;
}

function checkedName(name: string, path: string): string {
  if (!NAME.test(name)) throw invalidPath(`${quote(path)} is not a valid attribute path`);
  return name;
}

/** A filter inside brackets names sub-attributes; the few alter knows have known types. */
function resolveSubAttribute(name: string): AttrInfo | null {
  if (!NAME.test(name)) return null;
  const canonical = canonicalSubAttribute(name);
  if (BOOLEAN_SUB_ATTRIBUTES.has(canonical)) return { name: canonical, type: 'boolean' };
  return { name: canonical, type: STRING_SUB_ATTRIBUTES.has(canonical) ? 'string' : 'any' };
}

export function parsePath(text: string): PatchPath {
  if (text.length === 0) throw invalidPath('the path is empty');
  if (text.length > MAX_FILTER_LENGTH) throw invalidPath(`the path is longer than ${MAX_FILTER_LENGTH} characters`);
  const open = text.indexOf('[');
  const head = splitHead(open < 0 ? text : text.slice(0, open), text);
  if (open < 0) return { attribute: head.attribute, subAttribute: head.subAttribute, filter: null };

  if (head.subAttribute !== null) throw invalidPath(`${quote(text)}: a filter follows an attribute, not a sub-attribute`);
  const close = closingBracket(text, open);
  if (close < 0) throw invalidPath(`${quote(text)} has no closing "]"`);
  const tail = text.slice(close + 1);
  if (tail !== '' && !tail.startsWith('.')) throw invalidPath(`${quote(text)} has text after "]"`);
  const filter = parseValueFilter(text.slice(open + 1, close), resolveSubAttribute);
  const subAttribute = tail === '' ? null : canonicalSubAttribute(checkedName(tail.slice(1), text));
  return { attribute: head.attribute, subAttribute, filter };
}

/** `[urn:…:]attr[.sub]`: the core schema URN is dropped, an extension's is kept. */
function splitHead(head: string, path: string): { attribute: string; subAttribute: string | null } {
  const colon = head.lastIndexOf(':');
  const urn = colon < 0 ? '' : head.slice(0, colon);
  if (urn !== '' && !URN.test(urn)) throw invalidPath(`${quote(path)} is not a valid attribute path`);
  const parts = head.slice(colon + 1).split('.');
  if (parts.length > 2) throw invalidPath(`${quote(path)} has more than one sub-attribute`);
  const name = canonicalAttribute(checkedName(parts[0] ?? '', path));
  const subAttribute = parts[1] === undefined ? null : canonicalSubAttribute(checkedName(parts[1], path));
  if (urn === '' || CORE_URNS.includes(urn.toLowerCase())) return { attribute: name, subAttribute };
  const qualified = `${urn}:${name}`;
  if (qualified.toLowerCase() === ENTERPRISE_USER_URN.toLowerCase()) return { attribute: ENTERPRISE_USER_URN, subAttribute };
  if (urn.toLowerCase() === ENTERPRISE_USER_URN.toLowerCase()) return { attribute: `${ENTERPRISE_USER_URN}:${name}`, subAttribute };
  return { attribute: qualified, subAttribute };
}

/** The `]` closing the `[` at `open`, skipping quoted strings (a value may contain "]"). */
function closingBracket(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === ']') {
      return i;
    }
    i++;
  }
  return -1;
}
