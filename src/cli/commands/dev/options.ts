// Parsing of the dev provider's test users and clients from flags. Kept apart from the commands so
// the formats are defined once and can be shown in --help verbatim.
import type { DevClient, DevUser } from '../../../dev/provider.js';
import { AlterError } from '../../../errors.js';
import { readValueArg, type InputSource } from '../../io/input.js';

export const USER_FORMAT = 'sub:email:name[:group1,group2[:role1,role2]]';
export const CLIENT_FORMAT = 'client_id:secret:uri[,uri…]';

/** Used when neither --user nor --users is given, so `alter dev provider` alone is useful. */
export const DEFAULT_USERS: DevUser[] = [
  { sub: 'alice', email: 'alice@example.test', name: 'Alice Example', groups: ['engineering'], roles: ['admin'] },
  { sub: 'bob', email: 'bob@example.test', name: 'Bob Example', groups: ['sales'], roles: [] },
];

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function parseUserFlag(value: string): DevUser {
  const [sub, email, name, groups, roles, ...rest] = value.split(':');
  if (!sub || rest.length) throw new AlterError('usage', `--user: "${value}" is not ${USER_FORMAT}`);
  return { sub, ...(email ? { email } : {}), ...(name ? { name } : {}), groups: list(groups), roles: list(roles) };
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new AlterError('usage', `--users: ${where} must be a list of strings`);
  return value;
}

/** `--users -|@file|JSON`: an array of {sub, email?, name?, groups?, roles?}. */
export async function parseUsersArg(value: string, src: InputSource): Promise<DevUser[]> {
  const text = await readValueArg(value, '--users', src);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AlterError('usage', `--users: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new AlterError('usage', '--users: must be a JSON array of users');
  return parsed.map((u: unknown, i) => {
    if (typeof u !== 'object' || u === null) throw new AlterError('usage', `--users: item ${i} must be an object`);
    const { sub, email, name, groups, roles } = u as Record<string, unknown>;
    if (typeof sub !== 'string' || !sub) throw new AlterError('usage', `--users: item ${i} needs a "sub" string`);
    for (const [field, v] of Object.entries({ email, name })) {
      if (v !== undefined && typeof v !== 'string') throw new AlterError('usage', `--users: item ${i}: ${field} must be a string`);
    }
    return {
      sub,
      ...(typeof email === 'string' ? { email } : {}),
      ...(typeof name === 'string' ? { name } : {}),
      groups: stringList(groups, `item ${i}: groups`),
      roles: stringList(roles, `item ${i}: roles`),
    };
  });
}

/**
 * `--client id:secret:uri[,uri…]`. Each URI is registered both as a redirect URI and as a
 * post-logout redirect URI: a development provider gains nothing from telling them apart, and
 * the wallet needs its callback in one list and its sign-in page in the other.
 */
export function parseClientFlag(value: string): DevClient {
  const first = value.indexOf(':');
  const second = first < 0 ? -1 : value.indexOf(':', first + 1);
  const uris = second < 0 ? [] : list(value.slice(second + 1));
  if (first <= 0 || second <= first + 1 || !uris.length) throw new AlterError('usage', `--client: "${value}" is not ${CLIENT_FORMAT}`);
  for (const uri of uris) {
    if (!URL.canParse(uri)) throw new AlterError('usage', `--client: "${uri}" is not a URL`);
  }
  return { client_id: value.slice(0, first), client_secret: value.slice(first + 1, second), redirect_uris: uris, post_logout_redirect_uris: uris };
}

export function collect<T>(parse: (v: string) => T) {
  return (value: string, previous: T[] = []): T[] => [...previous, parse(value)];
}
