// Where the dev provider may listen. It serves a login form that accepts any password, so it stays
// on the loopback interface unless the caller opts out explicitly.
import { isIP } from 'node:net';
import { AlterError } from '../errors.js';

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Throws a usage error naming the host unless it is loopback or the caller allowed others. */
export function assertListenHost(host: string, allowNonLoopback: boolean): void {
  if (allowNonLoopback || isLoopbackHost(host)) return;
  throw new AlterError(
    'usage',
    `the dev provider listens on loopback only (127.0.0.1, ::1, localhost), not ${host}: its login form accepts any password. Pass allowNonLoopback (CLI: --allow-non-loopback) to override`,
  );
}

/** The host as it appears in a URL: IPv6 literals in brackets, wildcard addresses as loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}
