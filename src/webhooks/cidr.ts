/**
 * Address ranges in CIDR notation (`10.0.0.0/8`, `fd00::/8`), as the operator writes them in
 * LYCEUM_WEBHOOK_ALLOWED_CIDRS.
 */
import { BlockList, isIP } from 'node:net';

export interface CidrRange {
  /** The range as written, normalised to `address/prefix`. */
  text: string;
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses one `address/prefix`; a bare address is a range of one. Throws with what is wrong. */
export function parseCidr(input: string): CidrRange {
  const text = input.trim();
  const [address = '', prefixText] = text.split('/');
  const version = isIP(address);
  if (version === 0) throw new Error(`"${text}" is not an IP address range such as 10.0.0.0/8`);

  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || prefixText === '') {
    throw new Error(`"${text}" has a prefix length outside 0–${max}`);
  }
  return { text: `${address}/${prefix}`, address, prefix, family };
}

/** Parses a comma-separated list of ranges. */
export function parseCidrList(input: string): CidrRange[] {
  return input
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseCidr);
}

/** Builds a matcher over ranges; IPv4-mapped IPv6 addresses match their IPv4 ranges. */
export function buildBlockList(ranges: readonly CidrRange[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) list.addSubnet(range.address, range.prefix, range.family);
  return list;
}
