/**
 * Verifying a webhook from Lyceum, per the Standard Webhooks specification (v1, HMAC-SHA256):
 * the signature covers `webhook-id.webhook-timestamp.body`, the timestamp must be recent, and
 * during a secret rotation the `webhook-signature` header holds several signatures separated by
 * spaces, any one of which may match.
 */
import { concatBytes, fromBase64, timingSafeEqual, utf8 } from './bytes.js';
import type { LyceumEvent } from './generated/events.js';
import { hmacSha256, resolveWebCrypto, type WebCrypto } from './web-crypto.js';
import { WebhookVerificationError } from './webhook-verification-error.js';

/** Request headers as Node.js (`IncomingHttpHeaders`), a plain object or `Headers` hold them. */
export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers;

/** How `verifyWebhook` judges a request. */
export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, either way, in seconds; 300 by default. */
  toleranceSeconds?: number;
  /** The current time in epoch milliseconds; `Date.now` by default. */
  now?: () => number;
  /** Web Crypto, where it is not a global (Node.js 18). */
  crypto?: WebCrypto;
}

const SECRET_PREFIX = 'whsec_';
const DEFAULT_TOLERANCE_SECONDS = 300;
const TIMESTAMP = /^\d{1,15}$/;

/**
 * Verifies a webhook and returns its event, or throws a `WebhookVerificationError` saying why
 * not. Pass the raw body exactly as received: parsed and re-serialised JSON does not verify.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<LyceumEvent> {
  const body = typeof rawBody === 'string' ? utf8(rawBody) : rawBody;
  await verifyWebhookSignature(body, headers, secret, options);
  return parseEvent(body);
}

/**
 * Checks only the signature and the timestamp, for a body that is not a Lyceum event (any
 * Standard Webhooks sender); throws a `WebhookVerificationError` when they do not hold.
 */
export async function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<void> {
  const key = secretKey(secret);
  const id = requireHeader(headers, 'webhook-id');
  const timestamp = requireHeader(headers, 'webhook-timestamp');
  const signatures = requireHeader(headers, 'webhook-signature');
  checkTimestamp(timestamp, options);

  const body = typeof rawBody === 'string' ? utf8(rawBody) : rawBody;
  const signed = concatBytes(utf8(`${id}.${timestamp}.`), body);
  const expected = await hmacSha256(resolveWebCrypto(options.crypto), key, signed);
  if (!anySignatureMatches(signatures, expected)) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'no signature in webhook-signature matches: check the endpoint secret and that the body is passed exactly as received',
    );
  }
}

function secretKey(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = fromBase64(encoded);
  if (key === undefined || key.length === 0) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'the webhook secret must be "whsec_" followed by base64, as Lyceum returned it',
    );
  }
  return key;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const value =
    record[name] ??
    Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1] ??
    undefined;
  return Array.isArray(value) ? value.join(' ') : value;
}

function requireHeader(headers: WebhookHeaders, name: string): string {
  const value = header(headers, name)?.trim();
  if (value === undefined || value === '') {
    throw new WebhookVerificationError(
      'missing_header',
      `the ${name} header is missing: pass the request headers as received`,
    );
  }
  return value;
}

function checkTimestamp(timestamp: string, options: VerifyWebhookOptions): void {
  if (!TIMESTAMP.test(timestamp)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp "${timestamp.slice(0, 20)}" is not Unix seconds`,
    );
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const age = nowSeconds - Number(timestamp);
  if (age > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `the webhook is ${age} s old, more than the ${tolerance} s tolerance: a replay, or a clock far behind`,
    );
  }
  if (-age > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `the webhook is dated ${-age} s in the future, more than the ${tolerance} s tolerance: check the clocks`,
    );
  }
}

/** Compares every v1 signature, without stopping at the first match, in constant time each. */
function anySignatureMatches(header: string, expected: Uint8Array): boolean {
  let matched = false;
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const signature = fromBase64(entry.slice(comma + 1));
    if (signature !== undefined && timingSafeEqual(signature, expected)) matched = true;
  }
  return matched;
}

function parseEvent(body: Uint8Array): LyceumEvent {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    throw new WebhookVerificationError('invalid_payload', 'the webhook body is not JSON', {
      cause: error,
    });
  }
  if (!isEnvelope(value)) {
    throw new WebhookVerificationError(
      'invalid_payload',
      'the webhook body is not an event: expected { id, type, timestamp, data }',
    );
  }
  return value;
}

/**
 * The shape every event has. A type this SDK does not know yet (a newer Lyceum) passes: a
 * receiver switching on `type` ignores it, which is what a receiver should do.
 */
function isEnvelope(value: unknown): value is LyceumEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.timestamp === 'string' &&
    typeof event.data === 'object' &&
    event.data !== null &&
    !Array.isArray(event.data)
  );
}
