// Claim mapping: where in a token's claims a provider keeps the user id, groups and roles.
// Names are taken literally first, because providers use URL-named claims with dots and slashes
// (`https://alter.dev/groups`) and some use plain names with dots; only when no claim has that exact
// name is it read as a path: a JSON pointer when it starts with `/` (`/realm_access/roles`), else a
// dotted path (`realm_access.roles`).

export type Claims = Record<string, unknown>;

/** Called when a mapped claim exists but cannot become a list; the caller decides where it goes. */
export type ClaimDebug = (message: string, details: Record<string, unknown>) => void;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(segment)) node = node[Number(segment)];
    else if (isObject(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** RFC 6901: `~1` is `/` and `~0` is `~`, decoded in that order. */
function pointerSegments(pointer: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value of the claim `name` (literal name, then JSON pointer or dotted path); undefined when absent. */
export function readClaim(claims: Claims, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  if (name.startsWith('/')) return walk(claims, pointerSegments(name));
  if (name.includes('.')) return walk(claims, name.split('.'));
  return undefined;
}

/**
 * A group or role claim as a list of names: an array of strings, a single string, or a
 * space-separated string (OAuth's `scope` style) all qualify. Non-string array elements are
 * dropped; any other shape yields [] and a debug note, never an error: a provider's odd claim must
 * not take resolution down.
 */
export function claimList(claims: Claims, name: string | null, debug?: ClaimDebug): string[] {
  if (!name) return [];
  const value = readClaim(claims, name);
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return unique(value.split(/\s+/).filter(storable));
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === 'string' && storable(v));
    if (strings.length !== value.length) debug?.('claim list has non-string elements; they are ignored', { claim: name, ignored: value.length - strings.length });
    return unique(strings);
  }
  debug?.('claim is neither a string nor an array; ignored', { claim: name, type: typeof value });
  return [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** A standard profile claim (email, name) when it is a non-empty string; anything else is null. */
export function stringClaim(claims: Claims, name: string): string | null {
  const value = claims[name];
  return typeof value === 'string' && storable(value) ? value : null;
}

/** Non-empty and free of NUL, which PostgreSQL text cannot hold: such a value is ignored. */
function storable(value: string): boolean {
  return value.length > 0 && !value.includes('\u0000');
}
