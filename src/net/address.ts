// Which IP addresses the server may connect to on a user's behalf. Issuer URLs come from users and
// the server fetches them, so anything that reaches the machine itself, its network or its cloud
// metadata service is refused. Two jobs live here:
//  - parseIpLiteral: read a host as an IP address in every spelling a resolver or URL parser would
//    accept (`127.1`, `0x7f.0.0.1`, `2130706433`, `017700000001`, `[::ffff:127.0.0.1]`), so a literal
//    can never slip past the check by looking like a name;
//  - classifyAddress: match the address's bytes against a table of special-purpose ranges.
import { isIPv6 } from 'node:net';

export type AddressClass =
  | { allowed: true; address: string }
  | { allowed: false; address: string; reason: string };

interface Range {
  prefix: number[];
  bits: number;
  reason: string;
}

function range(cidr: string, reason: string): Range {
  const [ip, bits] = cidr.split('/') as [string, string];
  const bytes = parseIpLiteral(ip);
  if (!bytes) throw new Error(`bad range ${cidr}`);
  return { prefix: bytes, bits: Number(bits), reason };
}

// IANA special-purpose registries (RFC 6890 and successors). Order matters only for the reason
// reported: more specific entries come first.
const IPV4_RANGES: Range[] = [
  range('169.254.169.254/32', 'the cloud metadata address'),
  range('255.255.255.255/32', 'the broadcast address'),
  range('0.0.0.0/8', 'a "this network" address (0.0.0.0/8)'),
  range('10.0.0.0/8', 'a private address (10.0.0.0/8)'),
  range('100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'),
  range('127.0.0.0/8', 'a loopback address'),
  range('169.254.0.0/16', 'a link-local address (169.254.0.0/16)'),
  range('172.16.0.0/12', 'a private address (172.16.0.0/12)'),
  range('192.0.0.0/24', 'an IETF protocol assignment (192.0.0.0/24)'),
  range('192.0.2.0/24', 'a documentation address (192.0.2.0/24)'),
  range('192.88.99.0/24', 'the 6to4 relay anycast range'),
  range('192.168.0.0/16', 'a private address (192.168.0.0/16)'),
  range('198.18.0.0/15', 'a benchmarking address (198.18.0.0/15)'),
  range('198.51.100.0/24', 'a documentation address (198.51.100.0/24)'),
  range('203.0.113.0/24', 'a documentation address (203.0.113.0/24)'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved address (240.0.0.0/4)'),
];

const IPV6_RANGES: Range[] = [
  range('::/128', 'the unspecified address (::)'),
  range('::1/128', 'a loopback address (::1)'),
  range('64:ff9b:1::/48', 'a local-use NAT64 address'),
  range('100::/64', 'a discard-only address (100::/64)'),
  range('2001::/32', 'a Teredo tunnel address (2001::/32)'),
  range('2001:10::/28', 'a deprecated ORCHID address'),
  range('2001:20::/28', 'an ORCHIDv2 address'),
  range('2001:db8::/32', 'a documentation address (2001:db8::/32)'),
  range('3fff::/20', 'a documentation address (3fff::/20)'),
  range('fc00::/7', 'a unique local address (fc00::/7)'),
  range('fe80::/10', 'a link-local address (fe80::/10)'),
  range('fec0::/10', 'a site-local address (fec0::/10)'),
  range('ff00::/8', 'a multicast address'),
];

// IPv6 ranges that carry an IPv4 address: the IPv4 address decides. Byte offset of the embedded
// address within the 16 bytes.
const IPV6_EMBEDDING_IPV4: Array<Range & { offset: number }> = [
  { ...range('::ffff:0:0/96', 'an IPv4-mapped address'), offset: 12 },
  { ...range('::/96', 'an IPv4-compatible address'), offset: 12 },
  { ...range('64:ff9b::/96', 'a NAT64 address'), offset: 12 },
  { ...range('2002::/16', 'a 6to4 address'), offset: 2 },
];

function inRange(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.prefix.length) return false;
  let bits = r.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((r.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Decide whether an address (IP literal, any spelling) may be connected to. Names are refused. */
export function classifyAddress(address: string): AddressClass {
  const bytes = parseIpLiteral(address);
  if (!bytes) return { allowed: false, address, reason: 'not an IP address' };
  const shown = formatIp(bytes);
  const reason = blockedReason(bytes);
  return reason ? { allowed: false, address: shown, reason } : { allowed: true, address: shown };
}

function blockedReason(bytes: number[]): string | null {
  if (bytes.length === 4) return IPV4_RANGES.find((r) => inRange(bytes, r))?.reason ?? null;
  for (const r of IPV6_EMBEDDING_IPV4) {
    if (!inRange(bytes, r)) continue;
    // `::` and `::1` sit inside ::/96 but are IPv6's own unspecified and loopback addresses.
    if (r.offset === 12 && r.prefix.every((b) => b === 0) && bytes.slice(12, 15).every((b) => b === 0) && (bytes[15] ?? 0) <= 1) break;
    const inner = blockedReason(bytes.slice(r.offset, r.offset + 4));
    return inner ? `${r.reason} of ${inner}` : null;
  }
  return IPV6_RANGES.find((r) => inRange(bytes, r))?.reason ?? null;
}

/**
 * The bytes of an IP literal (4 or 16), or null when the text is not one. IPv4 follows
 * inet_aton: one to four parts, each decimal, 0x-hex or 0-octal, the last part filling the
 * remaining bytes. Brackets, a zone id (`%eth0`) and a trailing dot are tolerated.
 */
export function parseIpLiteral(text: string): number[] | null {
  let host = text.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.includes(':')) return parseIpv6(host.replace(/%.*$/, ''));
  if (host.endsWith('.')) host = host.slice(0, -1);
  return parseIpv4(host);
}

function parseIpv4Part(part: string): number | null {
  if (/^0x[0-9a-f]*$/.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return null;
}

function parseIpv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values = parts.map(parseIpv4Part);
  if (values.some((v) => v === null)) return null;
  const nums = values as number[];
  const last = nums.pop() as number;
  if (nums.some((v) => v > 255)) return null;
  const lastBytes = 4 - nums.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const tail: number[] = [];
  for (let i = lastBytes - 1; i >= 0; i--) tail.push(Math.floor(last / 2 ** (8 * i)) & 0xff);
  return [...nums, ...tail];
}

function parseIpv6(host: string): number[] | null {
  if (!isIPv6(host)) return null;
  let text = host;
  let embedded: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIpv4Strict(dotted[2] as string);
    if (!v4) return null;
    embedded = v4;
    text = `${dotted[1] as string}0:0`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const words = (s: string): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const headWords = words(head);
  const tailWords = tail === null ? [] : words(tail);
  const fill = tail === null ? [] : new Array<number>(8 - headWords.length - tailWords.length).fill(0);
  const all = [...headWords, ...fill, ...tailWords];
  if (all.length !== 8) return null;
  const bytes = all.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (embedded.length) bytes.splice(12, 4, ...embedded);
  return bytes;
}

function parseIpv4Strict(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.map(Number);
}

/** Canonical text of 4 or 16 address bytes (dotted quad, or compressed IPv6 per RFC 5952). */
export function formatIp(bytes: number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
