/**
 * Keeps webhooks away from private, loopback and link-local addresses unless an operator
 * allowed their range. A URL is checked when an endpoint is saved and again at every connect,
 * through the `lookup` hook, against the address the socket is about to use: a name that
 * resolved to a public address yesterday (or a second ago) may resolve to 10.0.0.5 now.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { BlockList, LookupFunction } from 'node:net';
import { toError } from '../shared/errors.js';
import { buildBlockList, parseCidr } from './cidr.js';
import { type IpAddress, parseIpAddress } from './ip-address.js';
import { embeddedIpv4, findSpecialRange } from './special-ranges.js';

/** One answer of a name lookup. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Turns a host name into its addresses; injectable so tests need no DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** A webhook URL or address that may not be reached; the message says what to change. */
export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
  readonly code = 'ADDRESS_REFUSED';
}

/** How the guard is configured. */
export interface AddressGuardOptions {
  /** Ranges allowed despite being private (LYCEUM_WEBHOOK_ALLOWED_CIDRS). */
  allowedCidrs: readonly string[];
  /** Whether plain-http URLs are accepted (LYCEUM_WEBHOOK_ALLOW_HTTP). */
  allowHttp: boolean;
  /** Defaults to the system resolver, which also reads /etc/hosts. */
  resolve?: Resolver;
}

/** Where a checked URL points before any name is resolved. */
export interface UrlTarget {
  url: URL;
  /** The host name without brackets. */
  hostname: string;
  /** The address when the host is an IP literal, else null. */
  literal: IpAddress | null;
}

type Verdict = { allowed: true } | { allowed: false; description: string };

const ALLOW_RANGE_HINT = 'allow the range with LYCEUM_WEBHOOK_ALLOWED_CIDRS';

/**
 * `localhost` and `*.localhost` always mean this host (RFC 6761), whatever DNS or /etc/hosts
 * say, so they are judged as the loopback addresses without asking the resolver.
 */
const LOCALHOST_ADDRESSES: readonly ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

const systemResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true });

/**
 * Decides whether a webhook may reach a URL or address: at save time through `checkUrl`, at
 * send time through `checkUrlWithoutResolving` plus the `lookup` hook on every new connection.
 */
export class AddressGuard {
  private readonly allowed: BlockList;
  private readonly allowHttp: boolean;
  private readonly resolve: Resolver;

  /**
   * A `net.LookupFunction` for the HTTP client's connect option: it resolves the name, refuses
   * with code ADDRESS_REFUSED when any answer is not allowed (a mixed answer is a rebinding
   * trick as often as not), and otherwise hands the socket the allowed answers.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolveAllowed(hostname).then(
      (addresses) => {
        const family = familyNumber(options.family);
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        const [first] = usable;
        if (first === undefined) {
          callback(noAddressError(hostname), options.all ? [] : '');
        } else if (options.all) {
          callback(null, usable);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => callback(toError(error), options.all ? [] : ''),
    );
  };

  constructor(options: AddressGuardOptions) {
    this.allowed = buildBlockList(options.allowedCidrs.map(parseCidr));
    this.allowHttp = options.allowHttp;
    this.resolve = options.resolve ?? systemResolve;
  }

  /**
   * Checks a URL completely, resolving its host name; throws AddressRefusedError. A name that
   * does not resolve now is accepted: it reaches nothing, and every send checks again.
   */
  async checkUrl(url: string): Promise<void> {
    const target = this.checkUrlWithoutResolving(url);
    if (target.literal !== null || isLocalhostName(target.hostname)) return;

    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(target.hostname);
    } catch {
      return;
    }
    this.assertAllowed(addresses.map((answer) => answer.address));
  }

  /**
   * Everything `checkUrl` checks except DNS: the scheme, credentials, IP-literal hosts and
   * localhost. At send time the `lookup` hook judges resolved names, so this runs without DNS.
   */
  checkUrlWithoutResolving(url: string): UrlTarget {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw new AddressRefusedError(
        'the webhook URL is not a valid absolute URL; use one such as https://example.com/webhooks',
        { cause: error },
      );
    }
    this.assertScheme(parsed);
    if (parsed.username !== '' || parsed.password !== '') {
      throw new AddressRefusedError(
        'the webhook URL contains a user name or password; remove them, since receivers authenticate deliveries by their signature',
      );
    }

    const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const literal = parseIpAddress(hostname);
    if (literal !== null) this.assertAllowed([literal.text], 'points at');
    if (isLocalhostName(hostname)) this.assertAllowed(LOCALHOST_ADDRESSES.map((a) => a.address));
    return { url: parsed, hostname, literal };
  }

  /** Whether a webhook may connect to `ip`, written in any spelling; false for non-addresses. */
  isAllowedAddress(ip: string): boolean {
    const address = parseIpAddress(ip);
    return address !== null && this.judge(address).allowed;
  }

  private assertScheme(url: URL): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:') {
      if (this.allowHttp) return;
      throw new AddressRefusedError(
        'the webhook URL must use https; set LYCEUM_WEBHOOK_ALLOW_HTTP=true to allow plain http',
      );
    }
    const allowed = this.allowHttp ? 'https or http' : 'https';
    throw new AddressRefusedError(`the webhook URL must use ${allowed}, not ${url.protocol}`);
  }

  /** Resolves a name for a connection and refuses unless every answer is allowed. */
  private async resolveAllowed(hostname: string): Promise<ResolvedAddress[]> {
    const literal = parseIpAddress(hostname);
    let addresses: ResolvedAddress[];
    if (literal !== null) addresses = [{ address: literal.text, family: literal.family }];
    else if (isLocalhostName(hostname)) addresses = [...LOCALHOST_ADDRESSES];
    else addresses = await this.resolve(hostname);

    if (addresses.length === 0) throw noAddressError(hostname);
    this.assertAllowed(addresses.map((answer) => answer.address));
    return addresses;
  }

  private assertAllowed(addresses: readonly string[], verb = 'resolves to'): void {
    for (const text of addresses) {
      const address = parseIpAddress(text);
      const verdict: Verdict = address
        ? this.judge(address)
        : { allowed: false, description: `"${text}", which is not an IP address` };
      if (!verdict.allowed) {
        throw new AddressRefusedError(
          `the webhook URL ${verb} ${verdict.description}; ${ALLOW_RANGE_HINT}`,
        );
      }
    }
  }

  /** Allowed ranges first, then the refused table, then the IPv4 inside IPv6 forms. */
  private judge(address: IpAddress): Verdict {
    if (this.inAllowedRange(address)) return { allowed: true };
    const special = findSpecialRange(address);
    if (special) return { allowed: false, description: `${address.text}, ${special.label}` };

    const embedded = embeddedIpv4(address);
    if (embedded === null || this.inAllowedRange(embedded.ipv4)) return { allowed: true };
    const inner = findSpecialRange(embedded.ipv4);
    if (inner === undefined) return { allowed: true };
    return {
      allowed: false,
      description: `${address.text} (the ${embedded.form} form of ${embedded.ipv4.text}), ${inner.label}`,
    };
  }

  private inAllowedRange(address: IpAddress): boolean {
    return this.allowed.check(address.text, address.family === 4 ? 'ipv4' : 'ipv6');
  }
}

function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Node's lookup options carry the family as 0, 4, 6, 'IPv4' or 'IPv6'. */
function familyNumber(family: number | string | undefined): number {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

function noAddressError(hostname: string): Error {
  return Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND', hostname });
}
