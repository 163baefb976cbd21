/**
 * IP addresses in every spelling a URL, a resolver or an attacker may use, turned into bytes so
 * that ranges are compared on what a socket would connect to, not on how the text looks.
 */
import { isIPv6 } from 'node:net';

/** A parsed address. */
export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes in network order. */
  bytes: Uint8Array;
  /** Canonical text: a dotted quad, or compressed lower-case IPv6 (`::ffff:7f00:1`). */
  text: string;
}

/**
 * Parses an IPv4 or IPv6 address, or returns null for anything else (a host name). IPv4 is read
 * the way inet_aton and URL parsers read it: `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1`
 * are all 127.0.0.1. IPv6 may be bracketed and carry a zone (`fe80::1%eth0`).
 */
export function parseIpAddress(input: string): IpAddress | null {
  let text = input.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  return parseIpv4(text) ?? parseIpv6(text);
}

/** An address from its bytes (4 or 16). */
export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length === 4) return { family: 4, bytes, text: bytes.join('.') };
  return { family: 6, bytes, text: formatIpv6(bytes) };
}

/** Whether the first `prefix` bits of `address` equal those of `network` (same family). */
export function inPrefix(address: IpAddress, network: IpAddress, prefix: number): boolean {
  if (address.family !== network.family) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    const index = bit / 8;
    if (((address.bytes[index] ?? 0) & mask) !== ((network.bytes[index] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

function parseIpv4(text: string): IpAddress | null {
  const parts = text.split('.');
  // One trailing dot is allowed, as in a fully qualified name (`127.0.0.1.`).
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length > 4) return null;

  const numbers = parts.map(parseIpv4Part);
  let value = 0;
  for (const [index, number] of numbers.entries()) {
    if (number === null) return null;
    // The last part fills every byte the earlier parts left: `127.1` is 127.0.0.1.
    const isLast = index === numbers.length - 1;
    const limit = isLast ? 256 ** (4 - index) : 256;
    if (number >= limit) return null;
    value = value * (isLast ? limit : 256) + number;
  }

  const bytes = new Uint8Array([
    value >>> 24,
    (value >>> 16) & 0xff,
    (value >>> 8) & 0xff,
    value & 0xff,
  ]);
  return ipFromBytes(bytes);
}

function parseIpv4Part(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part, 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part, 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return null;
}

function parseIpv6(input: string): IpAddress | null {
  const zone = input.indexOf('%');
  const text = zone === -1 ? input : input.slice(0, zone);
  if (!isIPv6(text)) return null;

  // A trailing dotted quad (`::ffff:127.0.0.1`) stands for the last two groups.
  let groupsText = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const ipv4 = parseIpv4(tail);
    if (ipv4 === null) return null;
    const [a = 0, b = 0, c = 0, d = 0] = ipv4.bytes;
    groupsText = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }

  const [head = '', rest] = groupsText.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = [
    ...headGroups,
    ...Array<string>(rest === undefined ? 0 : missing).fill('0'),
    ...restGroups,
  ];
  if (groups.length !== 8) return null;

  const bytes = new Uint8Array(16);
  for (const [index, group] of groups.entries()) {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  }
  return ipFromBytes(bytes);
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as `::`. */
function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from(
    { length: 8 },
    (_, i) => ((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0),
  );

  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length += 1;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }

  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
