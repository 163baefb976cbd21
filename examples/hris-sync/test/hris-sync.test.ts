/**
 * The reference receiver end to end against a live Lyceum: a completion becomes an HRIS row
 * with the learner's name and the course title, a delivery sent again is dropped by its
 * webhook id, and a forged request is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LyceumClient } from '@lyceum/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/database.js';
import { type LiveLyceum, startLiveLyceum } from '../../../test/support/live-lyceum.js';
import { eventually } from '../../../test/support/webhook-receiver.js';
import { HrisStore } from '../src/hris-store.js';
import { type HrisReceiver, startHrisReceiver } from '../src/receiver.js';

for (const dialect of DIALECTS) {
  describe(`hris-sync example [${dialect}]`, () => {
    let live: LiveLyceum;
    let client: LyceumClient;
    let dir: string;
    let store: HrisStore;
    let receiver: HrisReceiver;
    let endpointId: string;

    beforeAll(async () => {
      live = await startLiveLyceum(dialect);
      client = new LyceumClient({ baseUrl: live.url, apiKey: live.adminKey });
      dir = mkdtempSync(join(tmpdir(), 'hris-sync-'));
      store = new HrisStore(join(dir, 'hris.db'));
      const reader = new LyceumClient({ baseUrl: live.url, apiKey: await live.key(['read']) });
      receiver = await startHrisReceiver({ client: reader, store, secrets: [] });
      const endpoint = await client.webhooks.create({
        url: receiver.url,
        eventTypes: ['course.completed'],
        description: 'HRIS sync',
      });
      endpointId = endpoint.id;
      receiver.useSecrets([endpoint.secret]);
    });
    afterAll(async () => {
      await receiver?.close();
      store?.close();
      await live?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('writes a row with the name and the course title when a learner completes a course', async () => {
      const user = await client.users.create({
        email: `ada-${dialect}@example.com`,
        firstName: 'Ada',
        lastName: 'Lovelace',
      });
      const course = await client.courses.create({ title: 'Analytical Engines' });
      await client.courses.publish(course.id);
      const enrollment = await client.enrollments.create({ userId: user.id, courseId: course.id });
      const completed = await client.enrollments.complete(enrollment.id);

      const rows = await eventually(() => receiver.stats.processed === 1 && store.completions());
      expect(rows).toEqual([
        expect.objectContaining({
          enrollmentId: enrollment.id,
          userId: user.id,
          courseId: course.id,
          name: 'Ada Lovelace',
          email: `ada-${dialect}@example.com`,
          courseTitle: 'Analytical Engines',
          completedAt: completed.completedAt,
        }),
      ]);
    });

    it('drops the same webhook delivered twice, keeping one row', async () => {
      const [delivery] = (await client.webhooks.deliveries(endpointId)).data;
      expect(delivery).toMatchObject({ eventType: 'course.completed' });
      await eventually(
        async () => (await client.deliveries.get(delivery!.id)).status === 'succeeded',
      );

      await client.deliveries.resend(delivery!.id);
      const resent = await eventually(async () => {
        const current = await client.deliveries.get(delivery!.id);
        return current.status === 'succeeded' && current.attempts.length === 2 && current;
      });
      await receiver.idle();

      // Both attempts were answered with a 2xx: the second one as a dropped duplicate.
      expect(resent.attempts.map((attempt) => attempt.statusCode)).toEqual([202, 200]);
      expect(resent.attempts[1]!.responseBody).toBe('duplicate');
      expect(receiver.stats).toMatchObject({ accepted: 1, duplicates: 1, processed: 1 });
      expect(store.receiptCount()).toBe(1);
      expect(store.completions()).toHaveLength(1);
    });

    it('refuses a request whose signature does not verify', async () => {
      const response = await fetch(receiver.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'evt_forged',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': `v1,${btoa('forged'.repeat(6))}`,
        },
        body: JSON.stringify({ id: 'evt_forged', type: 'course.completed', data: {} }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toBe('no_matching_signature');
      expect(receiver.stats.refused).toBe(1);
      expect(store.receiptCount()).toBe(1);
    });
  });
}
