import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AddressGuard, AddressRefusedError, type ResolvedAddress } from './address-guard.js';
import { parseIpAddress } from './ip-address.js';

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

/** A resolver for names under .test; 'rebind.test' answers public first, then private. */
function fakeResolver() {
  let rebindCalls = 0;
  const zone: Record<string, ResolvedAddress[]> = {
    'public.test': [v4('93.184.216.34')],
    'internal.test': [v4('10.1.2.3')],
    'loopback.test': [v4('127.0.0.1')],
    'mixed.test': [v4('93.184.216.34'), v4('192.168.1.10')],
    'v6.test': [v6('2606:2800:220:1:248:1893:25c8:1946'), v4('93.184.216.34')],
    'ula.test': [v6('fd12:3456::1')],
    'metadata.test': [v4('169.254.169.254')],
    'empty.test': [],
  };
  return async (hostname: string): Promise<ResolvedAddress[]> => {
    if (hostname === 'rebind.test') {
      rebindCalls += 1;
      return rebindCalls === 1 ? [v4('93.184.216.34')] : [v4('10.0.0.5')];
    }
    const answer = zone[hostname];
    if (answer === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return answer;
  };
}

const guard = (options: { allowedCidrs?: string[]; allowHttp?: boolean } = {}) =>
  new AddressGuard({
    allowedCidrs: options.allowedCidrs ?? [],
    allowHttp: options.allowHttp ?? false,
    resolve: fakeResolver(),
  });

/** Runs the lookup hook the way net.connect does and returns its answer or error. */
function lookupWith(
  target: AddressGuard,
  hostname: string,
  options: { all?: boolean; family?: number } = {},
): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) => {
    target.lookup(hostname, options, (error, address) => resolve({ error, address }));
  });
}

describe('parseIpAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['10.0x10.1', '10.16.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['FE80::1%eth0', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('reads %s as %s', (input, text) => {
    expect(parseIpAddress(input)?.text).toBe(text);
  });

  it.each(['example.com', '', '1.2.3.4.5', '256.1.1.1', '08.0.0.1', '1..2', '4294967296', ':::1'])(
    'does not take %j for an address',
    (input) => {
      expect(parseIpAddress(input)).toBeNull();
    },
  );
});

describe('AddressGuard.isAllowedAddress', () => {
  const refused = [
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'decimal loopback'],
    ['0177.0.0.1', 'octal loopback'],
    ['0x7f.1', 'hex loopback'],
    ['10.0.0.5', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['169.254.169.254', 'link-local metadata'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified v6'],
    ['::1', 'loopback v6'],
    ['fe80::1', 'link-local v6'],
    ['febf::1', 'link-local v6 upper end'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast v6'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:a00:5', 'IPv4-mapped private'],
    ['64:ff9b::10.0.0.5', 'NAT64 private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 metadata'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:c0a8:101::1', '6to4 private'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo of 10.0.0.1'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['2001:db8::1', 'documentation v6'],
    ['fec0::1', 'site-local v6'],
    ['not-an-ip', 'not an address'],
  ];
  const allowed = [
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'just outside 172.16/12'],
    ['100.128.0.1', 'just outside 100.64/10'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public v6'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::8.8.8.8', 'NAT64 public'],
    ['2002:808:808::1', '6to4 public'],
  ];

  it.each(refused)('refuses %s (%s)', (address) => {
    expect(guard().isAllowedAddress(address!)).toBe(false);
  });

  it.each(allowed)('allows %s (%s)', (address) => {
    expect(guard().isAllowedAddress(address!)).toBe(true);
  });

  it('allows an operator range in every spelling and the IPv6 forms that embed it', () => {
    const open = guard({ allowedCidrs: ['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8'] });
    expect(open.isAllowedAddress('127.0.0.1')).toBe(true);
    expect(open.isAllowedAddress('2130706433')).toBe(true);
    expect(open.isAllowedAddress('::ffff:127.0.0.1')).toBe(true);
    expect(open.isAllowedAddress('64:ff9b::7f00:1')).toBe(true);
    expect(open.isAllowedAddress('10.1.2.3')).toBe(true);
    expect(open.isAllowedAddress('fd12::1')).toBe(true);

    expect(open.isAllowedAddress('10.2.0.1')).toBe(false);
    expect(open.isAllowedAddress('::1')).toBe(false);
    expect(open.isAllowedAddress('fc00::1')).toBe(false);
  });
});

describe('AddressGuard.checkUrl', () => {
  const refusedUrls: Array<[string, RegExp]> = [
    ['http://93.184.216.34/hook', /must use https; set LYCEUM_WEBHOOK_ALLOW_HTTP=true/],
    ['ftp://example.com/hook', /must use https, not ftp:/],
    ['not a url', /not a valid absolute URL/],
    ['https://user:secret@public.test/hook', /user name or password/],
    ['https://token@public.test/hook', /user name or password/],
    ['https://127.0.0.1/hook', /points at 127\.0\.0\.1, a loopback address; allow the range/],
    ['https://2130706433/hook', /points at 127\.0\.0\.1, a loopback/],
    ['https://0177.0.0.1/hook', /points at 127\.0\.0\.1, a loopback/],
    ['https://0x7f.1/hook', /points at 127\.0\.0\.1, a loopback/],
    ['https://127.1:8443/hook', /points at 127\.0\.0\.1, a loopback/],
    ['https://[::1]/hook', /points at ::1, a loopback/],
    ['https://[::ffff:127.0.0.1]/hook', /IPv4-mapped form of 127\.0\.0\.1\), a loopback/],
    ['https://[64:ff9b::a00:5]/hook', /NAT64 form of 10\.0\.0\.5\), a private/],
    ['https://[fe80::1]/hook', /fe80::1, a link-local address/],
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254, a link-local/],
    ['https://0.0.0.0/hook', /0\.0\.0\.0, an unspecified address/],
    ['https://localhost/hook', /resolves to 127\.0\.0\.1, a loopback address/],
    ['https://LOCALHOST./hook', /a loopback address/],
    ['https://api.localhost/hook', /a loopback address/],
    [
      'https://internal.test/hook',
      /^the webhook URL resolves to 10\.1\.2\.3, a private address; allow the range with LYCEUM_WEBHOOK_ALLOWED_CIDRS$/,
    ],
    ['https://loopback.test/hook', /resolves to 127\.0\.0\.1, a loopback/],
    ['https://mixed.test/hook', /resolves to 192\.168\.1\.10, a private/],
    ['https://ula.test/hook', /fd12:3456::1, a unique-local/],
    ['https://metadata.test/hook', /169\.254\.169\.254, a link-local/],
  ];

  it.each(refusedUrls)('refuses %s', async (url, message) => {
    const error = await guard()
      .checkUrl(url)
      .then(
        () => null,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect((error as AddressRefusedError).code).toBe('ADDRESS_REFUSED');
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    'https://public.test/hook',
    'https://93.184.216.34/hook',
    'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
    'https://v6.test:8443/hook?x=1',
    'https://unknown-name.test/hook',
  ])('allows %s', async (url) => {
    await expect(guard().checkUrl(url)).resolves.toBeUndefined();
  });

  it('allows plain http only when configured', async () => {
    await expect(guard({ allowHttp: true }).checkUrl('http://public.test/')).resolves.toBe(
      undefined,
    );
    await expect(guard({ allowHttp: true }).checkUrl('ftp://public.test/')).rejects.toThrow(
      /must use https or http, not ftp:/,
    );
  });

  it('allows private targets inside an operator range', async () => {
    const open = guard({ allowedCidrs: ['10.1.0.0/16', '127.0.0.0/8', '::1/128'] });
    await expect(open.checkUrl('https://internal.test/hook')).resolves.toBeUndefined();
    await expect(open.checkUrl('https://0177.0.0.1/hook')).resolves.toBeUndefined();
    await expect(open.checkUrl('https://localhost/hook')).resolves.toBeUndefined();
    await expect(open.checkUrl('https://mixed.test/hook')).rejects.toThrow(/192\.168\.1\.10/);
  });

  it('judges localhost as both loopback addresses', async () => {
    const v4Only = guard({ allowedCidrs: ['127.0.0.0/8'] });
    await expect(v4Only.checkUrl('https://localhost/hook')).rejects.toThrow(/::1, a loopback/);
  });
});

describe('AddressGuard.lookup', () => {
  it('answers with the allowed addresses, one or all, filtered by family', async () => {
    const target = guard();
    expect(await lookupWith(target, 'public.test')).toEqual({
      error: null,
      address: '93.184.216.34',
    });
    expect(await lookupWith(target, 'v6.test', { all: true })).toEqual({
      error: null,
      address: [v6('2606:2800:220:1:248:1893:25c8:1946'), v4('93.184.216.34')],
    });
    expect((await lookupWith(target, 'v6.test', { family: 4 })).address).toBe('93.184.216.34');
    expect((await lookupWith(target, 'public.test', { family: 6 })).error?.code).toBe('ENOTFOUND');
  });

  it('refuses at connect time a name that passed the check before (DNS rebinding)', async () => {
    const target = guard();
    await expect(target.checkUrl('https://rebind.test/hook')).resolves.toBeUndefined();

    const { error } = await lookupWith(target, 'rebind.test', { all: true });
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect(error?.code).toBe('ADDRESS_REFUSED');
    expect(error?.message).toMatch(/resolves to 10\.0\.0\.5, a private address/);
  });

  it('refuses when any answer is private, and passes resolver failures through', async () => {
    const target = guard();
    expect((await lookupWith(target, 'mixed.test')).error?.code).toBe('ADDRESS_REFUSED');
    expect((await lookupWith(target, 'localhost')).error?.code).toBe('ADDRESS_REFUSED');
    expect((await lookupWith(target, '10.0.0.1')).error?.code).toBe('ADDRESS_REFUSED');
    expect((await lookupWith(target, 'nowhere.test')).error?.code).toBe('ENOTFOUND');
    expect((await lookupWith(target, 'empty.test')).error?.code).toBe('ENOTFOUND');
  });
});
