/**
 * verifyWebhook against the Standard Webhooks published test vector, against headers signed by
 * Lyceum's own signing code, and for every reason it refuses a request.
 */
import { describe, expect, it } from 'vitest';
import { generateSecret, webhookHeaders } from '../../../src/webhooks/signing.js';
import {
  type LyceumEvent,
  verifyWebhook,
  verifyWebhookSignature,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '../src/index.js';

// The published Standard Webhooks test vector, from the specification's reference library:
// repository standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts
// (also cited by src/webhooks/signing.test.ts).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  headers: {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  },
  body: '{"test": 2432232314}',
  now: () => 1614265330 * 1000,
};

const NOW = Date.parse('2026-12-03T16:43:37Z');
const now = () => NOW;
const EVENT = {
  id: 'evt_01JD0000000000000000000000',
  type: 'course.completed',
  timestamp: '2026-12-03T16:43:37.000Z',
  data: { enrollmentId: 'enr_1', userId: 'usr_1', courseId: 'crs_1' },
};

function signed(body = JSON.stringify(EVENT), secrets = [generateSecret()], at = NOW) {
  const headers = webhookHeaders({
    messageId: EVENT.id,
    timestampSeconds: Math.floor(at / 1000),
    body,
    secrets,
  });
  return { body, headers, secret: secrets[0]! };
}

async function reasonOf(verification: Promise<unknown>): Promise<WebhookVerificationReason> {
  const error = await verification.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof WebhookVerificationError)) throw new Error(`not refused: ${error}`);
  return error.reason;
}

describe('verifyWebhook', () => {
  it('accepts the Standard Webhooks test vector, and refuses it once the body changes', async () => {
    await expect(
      verifyWebhookSignature(VECTOR.body, VECTOR.headers, VECTOR.secret, { now: VECTOR.now }),
    ).resolves.toBeUndefined();
    const tampered = VECTOR.body.replace('2432232314', '2432232315');
    expect(
      await reasonOf(
        verifyWebhookSignature(tampered, VECTOR.headers, VECTOR.secret, { now: VECTOR.now }),
      ),
    ).toBe('no_matching_signature');
    // The vector's body is signed but is not a Lyceum event.
    expect(
      await reasonOf(
        verifyWebhook(VECTOR.body, VECTOR.headers, VECTOR.secret, { now: VECTOR.now }),
      ),
    ).toBe('invalid_payload');
  });

  it('returns the typed event of a request signed by Lyceum, from a string or from bytes', async () => {
    const { body, headers, secret } = signed();
    const event: LyceumEvent = await verifyWebhook(body, headers, secret, { now });
    expect(event).toEqual(EVENT);
    if (event.type !== 'course.completed') throw new Error('narrowing');
    expect(event.data.enrollmentId).toBe('enr_1');

    const bytes = new TextEncoder().encode(body);
    await expect(verifyWebhook(bytes, new Headers(headers), secret, { now })).resolves.toEqual(
      EVENT,
    );
  });

  it('accepts either secret of a rotation, and headers in any letter case or as arrays', async () => {
    const current = generateSecret();
    const previous = generateSecret();
    const { body, headers } = signed(undefined, [current, previous]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);

    await expect(verifyWebhook(body, headers, current, { now })).resolves.toEqual(EVENT);
    await expect(verifyWebhook(body, headers, previous, { now })).resolves.toEqual(EVENT);
    const shouting = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'webhook-signature': [`v2,${'A'.repeat(44)}`, headers['webhook-signature']!],
    };
    await expect(verifyWebhook(body, shouting, previous, { now })).resolves.toEqual(EVENT);
    expect(await reasonOf(verifyWebhook(body, headers, generateSecret(), { now }))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a missing header, naming it', async () => {
    const { body, headers, secret } = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const without = { ...headers, [name]: undefined };
      const error = await verifyWebhook(body, without, secret, { now }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'missing_header' });
      expect((error as Error).message).toContain(name);
    }
  });

  it('refuses timestamps that are not Unix seconds or outside the tolerance', async () => {
    const { body, headers, secret } = signed();
    const at = (value: string) => ({ ...headers, 'webhook-timestamp': value });
    expect(await reasonOf(verifyWebhook(body, at('yesterday'), secret, { now }))).toBe(
      'invalid_timestamp',
    );
    expect(await reasonOf(verifyWebhook(body, at('-5'), secret, { now }))).toBe(
      'invalid_timestamp',
    );

    const old = signed(undefined, undefined, NOW - 301_000);
    expect(await reasonOf(verifyWebhook(old.body, old.headers, old.secret, { now }))).toBe(
      'timestamp_too_old',
    );
    const early = signed(undefined, undefined, NOW + 301_000);
    expect(await reasonOf(verifyWebhook(early.body, early.headers, early.secret, { now }))).toBe(
      'timestamp_too_new',
    );
    // A wider tolerance accepts both.
    const wide = { now, toleranceSeconds: 600 };
    await expect(verifyWebhook(old.body, old.headers, old.secret, wide)).resolves.toEqual(EVENT);
    await expect(verifyWebhook(early.body, early.headers, early.secret, wide)).resolves.toEqual(
      EVENT,
    );
  });

  it('refuses a secret that is not whsec_ base64, and a body that is not an event', async () => {
    const { body, headers } = signed();
    expect(await reasonOf(verifyWebhook(body, headers, 'whsec_not base64!', { now }))).toBe(
      'invalid_secret',
    );
    expect(await reasonOf(verifyWebhook(body, headers, 'whsec_', { now }))).toBe('invalid_secret');

    const notJson = signed('not json');
    expect(
      await reasonOf(verifyWebhook(notJson.body, notJson.headers, notJson.secret, { now })),
    ).toBe('invalid_payload');
    const notEvent = signed('{"id":"evt_1","type":"user.created"}');
    expect(
      await reasonOf(verifyWebhook(notEvent.body, notEvent.headers, notEvent.secret, { now })),
    ).toBe('invalid_payload');
  });

  it('refuses a signature of another message id, or with a malformed entry only', async () => {
    const { body, headers, secret } = signed();
    const otherId = { ...headers, 'webhook-id': 'evt_other' };
    expect(await reasonOf(verifyWebhook(body, otherId, secret, { now }))).toBe(
      'no_matching_signature',
    );
    const malformed = { ...headers, 'webhook-signature': 'v1,@@@ v1 nonsense' };
    expect(await reasonOf(verifyWebhook(body, malformed, secret, { now }))).toBe(
      'no_matching_signature',
    );
  });
});
