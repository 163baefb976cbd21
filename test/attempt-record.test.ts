/**
 * Recording a batch of finished attempts, on each engine: what every attempt of a mixed batch
 * leaves behind, whichever way the batch is written (on PostgreSQL a batch of successes is one
 * statement that leaves out what needs the locking transaction).
 */
import { describe, expect, it } from 'vitest';
import { type FinishedAttempt, recordAttempts } from '../src/webhooks/attempt-result.js';
import type { SendResult } from '../src/webhooks/sender.js';
import { DIALECTS } from './support/database.js';
import {
  attemptsOf,
  emitEvent,
  endpointRow,
  insertEndpoint,
  onlyDeliveryOf,
  useWebhookRig,
} from './support/webhook-fixtures.js';

const OWNER = 'test-dispatcher';
const NO_JITTER = () => 0.5;

function answered(statusCode: number): SendResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain' },
    body: statusCode < 300 ? 'ok' : 'no',
    durationMs: 3,
    errorKind: null,
    errorMessage: null,
    retryAfterMs: null,
  };
}

for (const dialect of DIALECTS) {
  describe(`recording attempts [${dialect}]`, () => {
    const rig = useWebhookRig(dialect);

    interface Lease {
      /** Who holds the delivery's lease; this test's dispatcher when omitted. */
      owner?: string;
      /** Whether its endpoint is in a run of failures. */
      failing?: boolean;
    }

    /** One endpoint per lease, and one event fanned out to all of them, leased as asked. */
    async function leasedDeliveries(leases: Lease[]) {
      const { db } = rig.context.database;
      const endpoints = [];
      for (const lease of leases) {
        const endpoint = await insertEndpoint(rig.context, 'http://127.0.0.1:9/hook');
        if (lease.failing) {
          await db
            .updateTable('webhook_endpoints')
            .set({ failing_since: rig.clock.now() - 1000 })
            .where('id', '=', endpoint.id)
            .execute();
        }
        endpoints.push(endpoint);
      }
      await emitEvent(rig.context);
      return Promise.all(
        endpoints.map(async (endpoint, index) => {
          const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
          await db
            .updateTable('deliveries')
            .set({
              lease_owner: leases[index]?.owner ?? OWNER,
              lease_expires_at: rig.clock.now() + 60_000,
            })
            .where('id', '=', delivery.id)
            .execute();
          return { endpoint, delivery };
        }),
      );
    }

    const attempt = (deliveryId: string, statusCode = 200): FinishedAttempt => ({
      deliveryId,
      owner: OWNER,
      attemptedAt: rig.clock.now(),
      requestHeaders: { 'webhook-id': 'evt_test' },
      result: answered(statusCode),
    });

    it('records a batch of successes, leaving out the one whose lease is gone', async () => {
      const [healthy, failing, taken] = await leasedDeliveries([
        {},
        { failing: true },
        { owner: 'another-dispatcher' },
      ]);
      if (!healthy || !failing || !taken) throw new Error('expected three deliveries');

      const verdicts = await recordAttempts(
        rig.context,
        [attempt(healthy.delivery.id), attempt(failing.delivery.id), attempt(taken.delivery.id)],
        NO_JITTER,
      );

      const succeeded = {
        outcome: 'succeeded',
        attemptNumber: 1,
        nextAttemptAt: null,
        disabledReason: null,
      };
      expect(verdicts).toEqual([succeeded, succeeded, null]);
      for (const { delivery } of [healthy, failing]) {
        expect(await onlyDeliveryOf(rig.context, delivery.endpoint_id)).toMatchObject({
          status: 'succeeded',
          attempt_count: 1,
          next_attempt_at: null,
          lease_owner: null,
          lease_expires_at: null,
        });
        expect(await attemptsOf(rig.context, delivery.id)).toMatchObject([{ status_code: 200 }]);
      }
      // A success ends the failing endpoint's run of failures.
      expect((await endpointRow(rig.context, failing.endpoint.id)).failing_since).toBeNull();
      // The delivery leased to another dispatcher is untouched.
      expect(await onlyDeliveryOf(rig.context, taken.endpoint.id)).toMatchObject({
        status: 'pending',
        attempt_count: 0,
        lease_owner: 'another-dispatcher',
      });
      expect(await attemptsOf(rig.context, taken.delivery.id)).toEqual([]);
    });

    it('records a batch with a failure in it, each attempt as it happened', async () => {
      const [ok, down] = await leasedDeliveries([{}, {}]);
      if (!ok || !down) throw new Error('expected two deliveries');

      const verdicts = await recordAttempts(
        rig.context,
        [attempt(ok.delivery.id), attempt(down.delivery.id, 503)],
        NO_JITTER,
      );

      expect(verdicts.map((verdict) => verdict?.outcome)).toEqual(['succeeded', 'retrying']);
      expect((await onlyDeliveryOf(rig.context, ok.endpoint.id)).status).toBe('succeeded');
      expect(await onlyDeliveryOf(rig.context, down.endpoint.id)).toMatchObject({
        status: 'pending',
        attempt_count: 1,
        lease_owner: null,
      });
      expect((await endpointRow(rig.context, down.endpoint.id)).failing_since).toBe(
        rig.clock.now(),
      );
      expect(await attemptsOf(rig.context, down.delivery.id)).toMatchObject([{ status_code: 503 }]);
    });
  });
}
