/**
 * Address ranges a webhook may not reach unless an operator allows them: everything that is not
 * a public unicast address on the internet. A webhook URL is chosen by an API client, so without
 * this table it could make Lyceum call services that only trust their own network.
 */
import { type IpAddress, inPrefix, ipFromBytes, parseIpAddress } from './ip-address.js';

/** One refused range. */
export interface SpecialRange {
  range: string;
  /** How an operator reads it in a message: "a private address". */
  label: string;
  why: string;
}

/** Refused ranges; the first row that covers an address names it. */
export const SPECIAL_RANGES: readonly SpecialRange[] = [
  {
    range: '0.0.0.0/8',
    label: 'an unspecified address',
    why: '"this network"; 0.0.0.0 reaches the local host on most systems',
  },
  { range: '10.0.0.0/8', label: 'a private address', why: 'RFC 1918 internal networks' },
  {
    range: '100.64.0.0/10',
    label: 'a shared (carrier-grade NAT) address',
    why: 'RFC 6598 provider-internal space, often used inside clusters',
  },
  { range: '127.0.0.0/8', label: 'a loopback address', why: 'the Lyceum host itself' },
  {
    range: '169.254.0.0/16',
    label: 'a link-local address',
    why: 'cloud metadata services (169.254.169.254) live here',
  },
  { range: '172.16.0.0/12', label: 'a private address', why: 'RFC 1918 internal networks' },
  {
    range: '192.0.0.0/24',
    label: 'a reserved address',
    why: 'IETF protocol assignments, not reachable hosts',
  },
  { range: '192.0.2.0/24', label: 'a documentation address', why: 'TEST-NET-1, never routed' },
  {
    range: '192.88.99.0/24',
    label: 'a reserved address',
    why: 'the retired 6to4 relay anycast range',
  },
  { range: '192.168.0.0/16', label: 'a private address', why: 'RFC 1918 internal networks' },
  {
    range: '198.18.0.0/15',
    label: 'a benchmarking address',
    why: 'RFC 2544 lab networks, never routed',
  },
  { range: '198.51.100.0/24', label: 'a documentation address', why: 'TEST-NET-2, never routed' },
  { range: '203.0.113.0/24', label: 'a documentation address', why: 'TEST-NET-3, never routed' },
  { range: '224.0.0.0/4', label: 'a multicast address', why: 'a group, not one receiver' },
  {
    range: '255.255.255.255/32',
    label: 'the broadcast address',
    why: 'every host on the local network',
  },
  {
    range: '240.0.0.0/4',
    label: 'a reserved address',
    why: 'reserved for future use, never routed',
  },
  { range: '::/128', label: 'an unspecified address', why: 'like 0.0.0.0, reaches the local host' },
  { range: '::1/128', label: 'a loopback address', why: 'the Lyceum host itself' },
  { range: '100::/64', label: 'a reserved address', why: 'the discard-only prefix' },
  {
    range: '64:ff9b:1::/48',
    label: 'a local-use NAT64 address',
    why: 'translates into the local network at a position only its operator knows',
  },
  { range: '2001:2::/48', label: 'a benchmarking address', why: 'lab networks, never routed' },
  { range: '2001:db8::/32', label: 'a documentation address', why: 'never routed' },
  { range: 'fc00::/7', label: 'a unique-local address', why: 'the IPv6 counterpart of RFC 1918' },
  { range: 'fe80::/10', label: 'a link-local address', why: 'the local network segment' },
  {
    range: 'fec0::/10',
    label: 'a site-local address',
    why: 'deprecated, but still private where used',
  },
  { range: 'ff00::/8', label: 'a multicast address', why: 'a group, not one receiver' },
];

/** An IPv6 form that carries an IPv4 address and reaches it (through translation or tunnels). */
interface Embedding {
  range: string;
  /** Where the four IPv4 bytes sit. */
  offset: number;
  /** Teredo stores the client address inverted. */
  inverted: boolean;
  name: string;
}

/** IPv6 forms judged by the IPv4 address inside them. */
const EMBEDDINGS: readonly Embedding[] = [
  { range: '::ffff:0:0/96', offset: 12, inverted: false, name: 'IPv4-mapped' },
  { range: '::ffff:0:0:0/96', offset: 12, inverted: false, name: 'IPv4-translated' },
  { range: '64:ff9b::/96', offset: 12, inverted: false, name: 'NAT64' },
  { range: '2002::/16', offset: 2, inverted: false, name: '6to4' },
  { range: '2001::/32', offset: 12, inverted: true, name: 'Teredo' },
  // Deprecated IPv4-compatible addresses (::a.b.c.d); :: and ::1 are caught by the table first.
  { range: '::/96', offset: 12, inverted: false, name: 'IPv4-compatible' },
];

interface ParsedRange<T> {
  row: T;
  network: IpAddress;
  prefix: number;
}

function parseRows<T extends { range: string }>(rows: readonly T[]): ParsedRange<T>[] {
  return rows.map((row) => {
    const [address = '', prefix = ''] = row.range.split('/');
    const network = parseIpAddress(address);
    if (network === null) throw new Error(`special range ${row.range} is not an address range`);
    return { row, network, prefix: Number(prefix) };
  });
}

const specialRanges = parseRows(SPECIAL_RANGES);
const embeddings = parseRows(EMBEDDINGS);

/** The refused range that covers `address`, if any; embedded IPv4 is not looked at here. */
export function findSpecialRange(address: IpAddress): SpecialRange | undefined {
  return specialRanges.find(({ network, prefix }) => inPrefix(address, network, prefix))?.row;
}

/** The IPv4 address an IPv6 form reaches, with the form's name, or null. */
export function embeddedIpv4(address: IpAddress): { ipv4: IpAddress; form: string } | null {
  const match = embeddings.find(({ network, prefix }) => inPrefix(address, network, prefix));
  if (match === undefined) return null;

  const { offset, inverted, name } = match.row;
  const bytes = address.bytes
    .slice(offset, offset + 4)
    .map((byte) => (inverted ? byte ^ 0xff : byte));
  return { ipv4: ipFromBytes(bytes), form: name };
}
