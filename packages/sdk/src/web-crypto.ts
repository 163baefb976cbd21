/**
 * Finding Web Crypto. It is a global on Node.js 19+, Deno, Bun, workers and browsers; on
 * Node.js 18 it is not, and the SDK imports no Node.js module to stay portable, so there the
 * caller passes `crypto: (await import('node:crypto')).webcrypto` or starts Node.js with
 * `--experimental-global-webcrypto`.
 */

/** The part of `crypto.subtle` the SDK uses: HMAC-SHA256. */
export interface HmacSubtle {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: false,
    usages: ['sign'],
  ): Promise<unknown>;
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

/** The part of Web Crypto the SDK uses. */
export interface WebCrypto {
  subtle: HmacSubtle;
  randomUUID?: () => string;
  getRandomValues(array: Uint8Array): Uint8Array;
}

/** The given implementation, or the global one; throws a message that says what to do. */
export function resolveWebCrypto(given?: WebCrypto): WebCrypto {
  const found = given ?? (globalThis as { crypto?: WebCrypto }).crypto;
  if (found?.subtle === undefined) {
    throw new Error(
      'Web Crypto is not available: on Node.js 18 pass { crypto: (await import("node:crypto")).webcrypto } or run with --experimental-global-webcrypto',
    );
  }
  return found;
}

/** HMAC-SHA256 of `data` under `key`. */
export async function hmacSha256(
  crypto: WebCrypto,
  key: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data));
}

/** A random UUID v4, from `randomUUID` where it exists, else from random bytes. */
export function randomUuid(crypto: WebCrypto): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
