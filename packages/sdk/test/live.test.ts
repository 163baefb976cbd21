/**
 * The SDK against a live Lyceum (API and dispatcher on a real port, real receivers): real
 * deliveries verify, a rotation's two signatures each verify, lists page to the end, problems
 * arrive as LyceumApiError, and a repeated Idempotency-Key replays instead of creating twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/database.js';
import { type LiveLyceum, startLiveLyceum } from '../../../test/support/live-lyceum.js';
import {
  eventually,
  type Receiver,
  startReceiver,
} from '../../../test/support/webhook-receiver.js';
import {
  LyceumApiError,
  LyceumClient,
  type LyceumEvent,
  paginate,
  verifyWebhook,
  WebhookVerificationError,
} from '../src/index.js';

for (const dialect of DIALECTS) {
  describe(`@lyceum/sdk against a live Lyceum [${dialect}]`, () => {
    let live: LiveLyceum;
    let client: LyceumClient;
    const receivers: Receiver[] = [];

    beforeAll(async () => {
      live = await startLiveLyceum(dialect);
      client = new LyceumClient({ baseUrl: live.url, apiKey: live.adminKey });
    });
    afterAll(async () => {
      await live?.stop();
    });
    afterEach(async () => {
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    });

    /** A receiver that verifies each request with `secrets()` and keeps what it got. */
    async function verifyingReceiver(secrets: () => string[]) {
      const verified: Array<{ secret: string; event: LyceumEvent }> = [];
      const refused: string[] = [];
      const receiver = await startReceiver(async (request, response) => {
        for (const secret of secrets()) {
          try {
            verified.push({
              secret,
              event: await verifyWebhook(request.body, request.headers, secret),
            });
          } catch (error) {
            refused.push(error instanceof WebhookVerificationError ? error.reason : String(error));
          }
        }
        response.writeHead(204).end();
      });
      receivers.push(receiver);
      return { receiver, verified, refused };
    }

    it('verifies real deliveries as typed events that hydrate through the client', async () => {
      let secret = '';
      const { receiver, verified, refused } = await verifyingReceiver(() => [secret]);
      const endpoint = await client.webhooks.create({
        url: receiver.url,
        eventTypes: ['course.completed'],
      });
      secret = endpoint.secret;

      const user = await client.users.create({
        email: `sdk-${dialect}@example.com`,
        firstName: 'Grace',
        lastName: 'Hopper',
      });
      const course = await client.courses.create({ title: 'Compilers' });
      await client.courses.publish(course.id);
      const enrollment = await client.enrollments.create({ userId: user.id, courseId: course.id });
      await client.enrollments.complete(enrollment.id);

      await eventually(() => verified.length > 0);
      expect(refused).toEqual([]);
      const { event } = verified[0]!;
      if (event.type !== 'course.completed') throw new Error(`unexpected ${event.type}`);
      expect(event.data).toEqual({
        enrollmentId: enrollment.id,
        userId: user.id,
        courseId: course.id,
      });
      expect(receiver.requests[0]!.headers['webhook-id']).toBe(event.id);
      expect((await client.users.get(event.data.userId)).lastName).toBe('Hopper');
      expect((await client.courses.get(event.data.courseId)).title).toBe('Compilers');
    });

    it('verifies a delivery signed during a rotation with the old and the new secret', async () => {
      let secrets: string[] = [];
      const { receiver, verified, refused } = await verifyingReceiver(() => secrets);
      const endpoint = await client.webhooks.create({
        url: receiver.url,
        eventTypes: ['webhook.test'],
      });
      const rotated = await client.webhooks.rotateSecret(endpoint.id);
      secrets = [endpoint.secret, rotated.secret, `whsec_${btoa('x'.repeat(32))}`];

      const { eventId } = await client.webhooks.test(endpoint.id);

      await eventually(() => verified.length + refused.length === 3);
      expect(String(receiver.requests[0]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verified.map((entry) => entry.secret)).toEqual([endpoint.secret, rotated.secret]);
      expect(verified.map((entry) => entry.event.id)).toEqual([eventId, eventId]);
      expect(refused).toEqual(['no_matching_signature']);
    });

    it('pages through a live list to its end', async () => {
      const tag = `page-${dialect}`;
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const user = await client.users.create({
          email: `${tag}-${i}@example.com`,
          firstName: 'Page',
          lastName: `${i}`,
          externalCustomerId: tag,
        });
        created.push(user.id);
      }

      const seen: string[] = [];
      for await (const user of client.users.list.all({ externalCustomerId: tag, limit: 2 })) {
        seen.push(user.id);
      }
      expect(seen).toEqual(created);

      const viaPaginate: string[] = [];
      for await (const event of paginate(client.events.list, { types: 'user.created', limit: 3 })) {
        if (created.includes(String(event.data.userId))) viaPaginate.push(event.id);
      }
      expect(viaPaginate).toHaveLength(7);
    });

    it('throws LyceumApiError with the problem, and replays a repeated Idempotency-Key', async () => {
      const missing = await client.users
        .get('usr_00000000000000000000000000')
        .catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(LyceumApiError);
      expect(missing).toMatchObject({
        status: 404,
        type: 'urn:lyceum:problem:not-found',
        problem: { detail: 'User usr_00000000000000000000000000 does not exist' },
      });

      const invalid = await client.users
        .create({ email: 'not an email', firstName: 'X', lastName: 'Y' })
        .catch((error: unknown) => error);
      expect(invalid).toMatchObject({ status: 400 });
      expect((invalid as LyceumApiError).errors[0]).toMatchObject({ pointer: '/email' });

      const body = { email: `once-${dialect}@example.com`, firstName: 'Once', lastName: 'Only' };
      const first = await client.users.create(body, { idempotencyKey: `once-${dialect}` });
      const again = await client.users.create(body, { idempotencyKey: `once-${dialect}` });
      expect(again.id).toBe(first.id);
      const page = await client.users.list({ email: body.email });
      expect(page.data).toHaveLength(1);
    });
  });
}
