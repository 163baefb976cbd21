import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { LYCEUM_VERSION } from '../shared/version.js';
import {
  generateSecret,
  secretKey,
  sign,
  signatureHeader,
  WEBHOOK_USER_AGENT,
  webhookHeaders,
} from './signing.js';

// The published Standard Webhooks test vector, from the specification's reference library:
// repository standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts,
// test "sign function works".
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestampSeconds: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('signing', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    const { secret, messageId, timestampSeconds, body } = VECTOR;
    expect(sign(secret, messageId, timestampSeconds, body)).toBe(VECTOR.signature);
  });

  it('generates whsec_ secrets of the requested length and refuses lengths outside 24–64', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(secretKey(generateSecret(24))).toHaveLength(24);
    expect(secretKey(generateSecret(64))).toHaveLength(64);
    expect(generateSecret()).not.toBe(secret);
    expect(() => generateSecret(23)).toThrow(/24 to 64/);
    expect(() => generateSecret(65)).toThrow(/24 to 64/);
  });

  it('refuses secrets that are not base64 keys of 24–64 bytes', () => {
    expect(() => secretKey('whsec_')).toThrow(/base64/);
    expect(() => secretKey('whsec_not base64!')).toThrow(/base64/);
    expect(() => secretKey('whsec_abc')).toThrow(/base64/);
    expect(() => secretKey(`whsec_${Buffer.alloc(16).toString('base64')}`)).toThrow(/got 16/);
    expect(() => sign(VECTOR.secret, 'msg', 1.5, '{}')).toThrow(/whole Unix seconds/);
  });

  it('builds headers that the standardwebhooks library verifies', () => {
    const secret = generateSecret();
    const body = JSON.stringify({ id: 'evt_1', type: 'course.completed', data: { n: 1 } });
    const headers = webhookHeaders({
      messageId: 'evt_1',
      timestampSeconds: nowSeconds(),
      body,
      secrets: [secret],
    });

    expect(headers).toMatchObject({
      'webhook-id': 'evt_1',
      'content-type': 'application/json',
      'user-agent': `Lyceum-Webhooks/${LYCEUM_VERSION}`,
    });
    expect(headers['user-agent']).toBe(WEBHOOK_USER_AGENT);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('sends both signatures during a rotation, each verifying with its own secret', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const body = '{"id":"evt_2"}';
    const timestampSeconds = nowSeconds();
    const headers = webhookHeaders({
      messageId: 'evt_2',
      timestampSeconds,
      body,
      secrets: [current, previous],
    });

    const signatures = headers['webhook-signature']?.split(' ');
    expect(signatures).toEqual([
      sign(current, 'evt_2', timestampSeconds, body),
      sign(previous, 'evt_2', timestampSeconds, body),
    ]);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it('fails verification when the body or the id is tampered with', () => {
    const secret = generateSecret();
    const body = '{"id":"evt_3","amount":10}';
    const headers = webhookHeaders({
      messageId: 'evt_3',
      timestampSeconds: nowSeconds(),
      body,
      secrets: [secret],
    });

    expect(() => new Webhook(secret).verify('{"id":"evt_3","amount":99}', headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_4' })).toThrow();
  });

  it('refuses to sign without a secret', () => {
    expect(() => signatureHeader([], 'evt_5', nowSeconds(), '{}')).toThrow(/at least one secret/);
  });
});
