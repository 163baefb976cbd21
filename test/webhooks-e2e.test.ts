/**
 * Webhooks end to end, over real sockets: a Lyceum started as `serve` starts it (API and
 * dispatcher in one process, real clock), endpoints created through the API, receivers that are
 * real HTTP servers, and the delivery log read back through the API. Retries are 50 ms apart and
 * an attempt times out after 300 ms, so every scenario ends within a second or two.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createApiKey } from '../src/keys/api-keys.js';
import { type RunningLyceum, startLyceum } from '../src/server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/database.js';
import {
  answer,
  answerAfter,
  blackHole,
  eventually,
  inTurn,
  type Receiver,
  type Responder,
  reset,
  startReceiver,
} from './support/webhook-receiver.js';

interface Envelope {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, string>;
}

function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, String(value ?? '')]),
  );
}

for (const dialect of DIALECTS) {
  describe(`webhooks end to end [${dialect}]`, () => {
    let testDatabase: TestDatabase;
    let lyceum: RunningLyceum;
    let adminKey: string;
    let readKey: string;
    const receivers: Receiver[] = [];

    beforeAll(async () => {
      testDatabase = await createTestDatabase(dialect);
      const config = loadConfig({
        LOG_LEVEL: 'silent',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: testDatabase.url,
        LYCEUM_ROLE: 'all',
        LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
        LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
        LYCEUM_WEBHOOK_RETRY_SCHEDULE: '50ms,50ms,50ms',
        LYCEUM_WEBHOOK_TIMEOUT: '300ms',
        LYCEUM_DISPATCHER_CONCURRENCY: '8',
        LYCEUM_WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      });
      lyceum = await startLyceum(config);
      // Generous limits: these tests are about webhooks, not about rate limiting.
      const key = (scopes: Array<'admin' | 'read'>) =>
        createApiKey(lyceum.context, { name: 'e2e', scopes, rateLimitPerMinute: 60_000 });
      adminKey = (await key(['admin'])).key;
      readKey = (await key(['read'])).key;
    });
    afterAll(async () => {
      await lyceum?.stop();
      await testDatabase?.dispose();
    });
    afterEach(async () => {
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    });

    async function api(method: string, path: string, body?: unknown, key = adminKey) {
      const response = await fetch(`${lyceum.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      // Test assertions read answers freely; the API's own schemas validate them.
      const parsed: any = text === '' ? null : JSON.parse(text);
      if (response.status >= 400) {
        throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      }
      return parsed;
    }

    async function receiver(respond: Responder): Promise<Receiver> {
      const started = await startReceiver(respond);
      receivers.push(started);
      return started;
    }

    async function endpointFor(hook: Receiver, eventTypes = ['webhook.test']) {
      return api('POST', '/v2/webhooks', { url: hook.url, eventTypes });
    }

    /** Sends a test event to the endpoint and waits until its delivery is no longer pending. */
    async function testDelivery(endpointId: string) {
      const { deliveryId } = await api('POST', `/v2/webhooks/${endpointId}/test`);
      return eventually(async () => {
        const delivery = await api('GET', `/v2/deliveries/${deliveryId}`);
        return delivery.status !== 'pending' && delivery;
      });
    }

    it('signs course.completed so a Standard Webhooks library verifies it, and the receiver hydrates it', async () => {
      let secret = '';
      const hydrated: Array<{ event: Envelope; user: any; course: any }> = [];
      const problems: string[] = [];
      const hook = await receiver(async (request, response) => {
        try {
          const event = new Webhook(secret).verify(
            request.body,
            headerRecord(request.headers),
          ) as Envelope;
          const user = await api('GET', `/v2/users/${event.data.userId}`, undefined, readKey);
          const course = await api(
            'GET',
            `/v2/content/course/${event.data.courseId}`,
            undefined,
            readKey,
          );
          hydrated.push({ event, user, course });
          response.writeHead(204).end();
        } catch (error) {
          problems.push(String(error));
          response.writeHead(400).end();
        }
      });
      const endpoint = await endpointFor(hook, ['course.completed']);
      secret = endpoint.secret;

      const user = await api('POST', '/v2/users', {
        email: `learner-${dialect}@example.com`,
        firstName: 'Grace',
        lastName: 'Hopper',
      });
      const course = await api('POST', '/v2/content/course', { title: 'Compilers' });
      await api('POST', `/v2/content/course/${course.id}/publish`);
      const enrollment = await api('POST', '/v2/enrollments', {
        userId: user.id,
        courseId: course.id,
      });
      await api('POST', `/v2/enrollments/${enrollment.id}/complete`);

      await eventually(() => hydrated.length > 0 || problems.length > 0);
      expect(problems).toEqual([]);
      const [{ event, user: readUser, course: readCourse }] = hydrated as [
        (typeof hydrated)[number],
      ];
      expect(event).toMatchObject({
        type: 'course.completed',
        data: { userId: user.id, courseId: course.id, enrollmentId: enrollment.id },
      });
      expect(hook.requests[0]!.headers['webhook-id']).toBe(event.id);
      expect(readUser).toMatchObject({ id: user.id, email: user.email, firstName: 'Grace' });
      expect(readCourse).toMatchObject({ id: course.id, title: 'Compilers' });

      // The receiver hydrated before it answered; the outcome is recorded right after.
      const deliveries = await eventually(async () => {
        const page = await api('GET', `/v2/webhooks/${endpoint.id}/deliveries`);
        return page.data[0]?.status !== 'pending' && page.data;
      });
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({
        eventId: event.id,
        eventType: 'course.completed',
        status: 'succeeded',
        attemptCount: 1,
      });
    });

    it('retries a receiver that fails twice and records all three attempts', async () => {
      const hook = await receiver(inTurn(answer(500), answer(502), answer(200)));
      const endpoint = await endpointFor(hook);

      const delivery = await testDelivery(endpoint.id);
      expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 3, nextAttemptAt: null });
      expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([500, 502, 200]);
      expect(delivery.attempts[0].responseBody).toBe('status 500');
      // The same event id on every attempt; a fresh timestamp and signature on each.
      expect(new Set(hook.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    });

    it('records a receiver that does not answer in time as a timeout and retries it', async () => {
      const hook = await receiver(inTurn(answerAfter(2000), answer(200)));
      const endpoint = await endpointFor(hook);

      const delivery = await testDelivery(endpoint.id);
      expect(delivery.status).toBe('succeeded');
      expect(delivery.attempts.map((a: any) => [a.statusCode, a.errorKind])).toEqual([
        [null, 'timeout'],
        [200, null],
      ]);
    });

    it('records a connection reset and retries it', async () => {
      const hook = await receiver(inTurn(reset, answer(200)));
      const endpoint = await endpointFor(hook);

      const delivery = await testDelivery(endpoint.id);
      expect(delivery.status).toBe('succeeded');
      expect(delivery.attempts.map((a: any) => [a.statusCode, a.errorKind])).toEqual([
        [null, 'connection_reset'],
        [200, null],
      ]);
    });

    it('does not follow redirects: a 302 is a failed attempt, recorded with its Location', async () => {
      const elsewhere = await receiver(answer(200));
      const hook = await receiver(answer(302, { location: elsewhere.url }));
      const endpoint = await endpointFor(hook);

      const delivery = await testDelivery(endpoint.id);
      expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4 });
      expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([302, 302, 302, 302]);
      expect(delivery.attempts[0].responseHeaders.location).toBe(elsewhere.url);
      expect(elsewhere.requests).toHaveLength(0);
    });

    it('disables the endpoint when its receiver answers 410 Gone', async () => {
      const hook = await receiver(answer(410));
      const endpoint = await endpointFor(hook);

      const delivery = await testDelivery(endpoint.id);
      expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1 });
      expect(await api('GET', `/v2/webhooks/${endpoint.id}`)).toMatchObject({
        enabled: false,
        disabledReason: 'the receiver answered 410 Gone',
      });
      const events = await api('GET', '/v2/events?types=webhook.endpoint.disabled&limit=100');
      expect(events.data.map((e: Envelope) => e.data.endpointId)).toContain(endpoint.id);
    });

    it('waits as long as a 429 asks with Retry-After before trying again', async () => {
      const hook = await receiver(inTurn(answer(429, { 'retry-after': '1' }), answer(200)));
      const endpoint = await endpointFor(hook);

      const delivery = await testDelivery(endpoint.id);
      expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([429, 200]);
      const [first, second] = delivery.attempts.map((a: any) => Date.parse(a.attemptedAt));
      // The schedule alone would have retried after 50 ms.
      expect(second - first).toBeGreaterThanOrEqual(1000);
    });

    it('keeps delivering to a healthy receiver while another never answers', async () => {
      const silent = await receiver(blackHole);
      const healthy = await receiver(answer(200));
      const stuck = await endpointFor(silent);
      const fine = await endpointFor(healthy);

      // The black hole's work is queued first, so it is first in line.
      for (let i = 0; i < 4; i++) await api('POST', `/v2/webhooks/${stuck.id}/test`);
      for (let i = 0; i < 4; i++) await api('POST', `/v2/webhooks/${fine.id}/test`);

      const delivered = await eventually(async () => {
        const page = await api('GET', `/v2/webhooks/${fine.id}/deliveries`);
        return page.data.every((d: any) => d.status === 'succeeded') && page.data;
      });
      const blocked = (await api('GET', `/v2/webhooks/${stuck.id}/deliveries`)).data;
      await api('DELETE', `/v2/webhooks/${stuck.id}`);

      expect(delivered).toHaveLength(4);
      expect(healthy.requests).toHaveLength(4);
      expect(blocked).toHaveLength(4);
      expect(blocked.filter((d: any) => d.status === 'succeeded')).toEqual([]);
      expect(silent.maxConcurrent).toBeLessThanOrEqual(2);
      expect(silent.requests.length).toBeGreaterThan(0);
    });
  });
}
