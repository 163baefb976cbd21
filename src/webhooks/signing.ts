/**
 * Webhook signatures per the Standard Webhooks specification (v1, HMAC-SHA256), so that any
 * Standard Webhooks library verifies Lyceum's deliveries without Lyceum-specific code.
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { LYCEUM_VERSION } from '../shared/version.js';

const SECRET_PREFIX = 'whsec_';

/** The specification asks for keys of 24 to 64 bytes: shorter is weak, longer adds nothing. */
export const MIN_SECRET_BYTES = 24;
/** The upper end of the specification's key length. */
export const MAX_SECRET_BYTES = 64;

/** The User-Agent of every delivery, so receivers can tell Lyceum's requests apart in logs. */
export const WEBHOOK_USER_AGENT = `Lyceum-Webhooks/${LYCEUM_VERSION}`;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A new endpoint secret: `whsec_` followed by the base64 of `bytes` random bytes. */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(
      `a webhook secret must have ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, got ${bytes}`,
    );
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The HMAC key inside a secret; throws when the secret is not `whsec_` + base64 of a key. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Buffer.from silently skips characters that are not base64, so check the text first.
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new Error('a webhook secret must be "whsec_" followed by base64');
  }

  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new Error(
      `a webhook secret must hold ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}

/**
 * Decoded keys by secret, so that signing does not check and decode the same secret for every
 * attempt. A dispatcher signs with the few secrets of its endpoints; past this many (a rotation
 * storm, or a test making endpoints by the thousand) the map starts again.
 */
const keys = new Map<string, KeyObject>();
const KEYS_KEPT = 10_000;

/** The secret's key as a KeyObject, decoded once. */
function signingKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(secretKey(secret));
    if (keys.size >= KEYS_KEPT) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/**
 * One signature, `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The body must be the exact
 * bytes sent: a receiver that re-serialises the JSON computes a different signature.
 */
export function sign(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  if (!Number.isSafeInteger(timestampSeconds)) {
    throw new Error(`a webhook timestamp must be whole Unix seconds, got ${timestampSeconds}`);
  }
  const digest = createHmac('sha256', signingKey(secret))
    .update(`${messageId}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${digest}`;
}

/**
 * The `webhook-signature` value: one signature per secret, space-separated, the current secret
 * first. During a rotation the previous secret signs too, so receivers can switch at any time.
 */
export function signatureHeader(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed');
  return secrets.map((secret) => sign(secret, messageId, timestampSeconds, body)).join(' ');
}

/** What `webhookHeaders` needs to sign one attempt. */
export interface SignedMessage {
  /** The event id: stable across retries, so receivers can de-duplicate. */
  messageId: string;
  /** Unix seconds of this attempt, so receivers can refuse replays. */
  timestampSeconds: number;
  body: string;
  /** Current secret first, then the previous one while its grace period lasts. */
  secrets: readonly string[];
}

/** Every header of one delivery attempt, names in lower case. */
export function webhookHeaders(message: SignedMessage): Record<string, string> {
  const { messageId, timestampSeconds, body, secrets } = message;
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatureHeader(secrets, messageId, timestampSeconds, body),
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
  };
}
