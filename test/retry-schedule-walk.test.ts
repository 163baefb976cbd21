/**
 * The whole default retry schedule, 24 hours of it, walked under a ManualClock against a real
 * receiver: every attempt happens exactly when the schedule says, and the delivery gives up
 * after the last one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, parseDuration } from '../src/config.js';
import { Dispatcher } from '../src/webhooks/dispatcher.js';
import { DIALECTS } from './support/database.js';
import {
  attemptsOf,
  emitEvent,
  endpointRow,
  insertEndpoint,
  onlyDeliveryOf,
  useWebhookRig,
} from './support/webhook-fixtures.js';
import { answer, inTurn, type Receiver, startReceiver } from './support/webhook-receiver.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NO_JITTER = () => 0.5;

for (const dialect of DIALECTS) {
  describe(`retry schedule walk [${dialect}]`, () => {
    const rig = useWebhookRig(dialect);
    let dispatcher: Dispatcher;
    const receivers: Receiver[] = [];

    beforeEach(async () => {
      dispatcher = new Dispatcher(rig.context, { random: NO_JITTER });
    });
    afterEach(async () => {
      await dispatcher.stop();
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    });

    async function receiverAnswering(...responders: Parameters<typeof inTurn>) {
      const receiver = await startReceiver(inTurn(...responders));
      receivers.push(receiver);
      return receiver;
    }

    it('attempts at every step of the default schedule, then gives up within 24 hours', async () => {
      const schedule = rig.context.config.webhooks.retrySchedule;
      expect(schedule).toEqual(DEFAULT_RETRY_SCHEDULE.split(',').map((d) => parseDuration(d)));
      const receiver = await receiverAnswering(answer(500));
      const endpoint = await insertEndpoint(rig.context, receiver.url);
      const event = await emitEvent(rig.context);
      const eventAt = rig.clock.now();

      expect(await dispatcher.runDue()).toBe(1);
      for (;;) {
        const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
        if (delivery.status !== 'pending') break;
        expect(delivery.next_attempt_at).not.toBeNull();
        rig.clock.set(delivery.next_attempt_at!);
        expect(await dispatcher.runDue()).toBe(1);
      }

      const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
      const attempts = await attemptsOf(rig.context, delivery.id);
      const planned = [eventAt];
      for (const delay of schedule) planned.push(planned.at(-1)! + delay);
      expect(attempts.map((attempt) => attempt.attempted_at)).toEqual(planned);
      expect(attempts).toHaveLength(schedule.length + 1);
      expect(attempts.every((attempt) => attempt.status_code === 500)).toBe(true);
      expect(attempts.at(-1)!.attempted_at - eventAt).toBeLessThan(DAY_MS);
      expect(delivery).toMatchObject({
        status: 'failed',
        attempt_count: schedule.length + 1,
        next_attempt_at: null,
        lease_owner: null,
      });
      expect(receiver.requests).toHaveLength(schedule.length + 1);
      // The schedule ended before the endpoint had failed for 24 hours: it stays enabled.
      expect(await endpointRow(rig.context, endpoint.id)).toMatchObject({
        enabled: 1,
        failing_since: eventAt,
      });
      // Every retry carries the same webhook id, so a receiver can drop duplicates.
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(
        new Set([event.id]),
      );
    });

    it('waits as long as a 429 asks with Retry-After, then follows the schedule again', async () => {
      const receiver = await receiverAnswering(
        answer(429, { 'retry-after': '120' }),
        answer(500),
        answer(200),
      );
      const endpoint = await insertEndpoint(rig.context, receiver.url);
      await emitEvent(rig.context);
      const firstAt = rig.clock.now();

      await dispatcher.runDue();
      const afterFirst = await onlyDeliveryOf(rig.context, endpoint.id);
      expect(afterFirst.next_attempt_at).toBe(firstAt + 120_000);

      // Not a moment early.
      rig.clock.set(firstAt + 119_999);
      expect(await dispatcher.runDue()).toBe(0);
      rig.clock.set(firstAt + 120_000);
      expect(await dispatcher.runDue()).toBe(1);

      const afterSecond = await onlyDeliveryOf(rig.context, endpoint.id);
      const secondDelay = rig.context.config.webhooks.retrySchedule[1]!;
      expect(afterSecond.next_attempt_at).toBe(firstAt + 120_000 + secondDelay);
      rig.clock.set(afterSecond.next_attempt_at!);
      await dispatcher.runDue();

      const done = await onlyDeliveryOf(rig.context, endpoint.id);
      const attempts = await attemptsOf(rig.context, done.id);
      expect(attempts.map((a) => [a.attempted_at - firstAt, a.status_code])).toEqual([
        [0, 429],
        [120_000, 500],
        [120_000 + secondDelay, 200],
      ]);
      expect(done.status).toBe('succeeded');
    });
  });
}
