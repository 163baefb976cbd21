/**
 * The claim on its own, against real databases: which due deliveries it leases, in what order,
 * and how each endpoint's limit bounds what it takes; the next retry after it and the due
 * backlog gauge.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryTable } from '../src/db/schema.js';
import { type ClaimRequest, claimDueDeliveries, nextDueAt } from '../src/webhooks/claim.js';
import { DIALECTS } from './support/database.js';
import { insertEndpoint, useWebhookRig } from './support/webhook-fixtures.js';

const REQUEST: ClaimRequest = {
  owner: 'dispatcher_test',
  limit: 10,
  perEndpointLimit: 3,
  failingEndpointLimit: 1,
  leaseMs: 30_000,
};

for (const dialect of DIALECTS) {
  describe(`claiming due deliveries [${dialect}]`, () => {
    const rig = useWebhookRig(dialect);
    let sequence = 0;

    const db = () => rig.context.database.db;
    const now = () => rig.clock.now();

    async function endpoint(options: { failing?: boolean } = {}): Promise<string> {
      const row = await insertEndpoint(rig.context, 'http://127.0.0.1:9/hook');
      if (options.failing) {
        await db()
          .updateTable('webhook_endpoints')
          .set({ failing_since: now() - 60_000 })
          .where('id', '=', row.id)
          .execute();
      }
      return row.id;
    }

    /** Queues `count` deliveries for the endpoint, due `dueAt` plus one millisecond each. */
    async function queue(
      endpointId: string,
      count: number,
      dueAt: number,
      lease?: { owner: string; expiresAt: number },
    ): Promise<string[]> {
      const rows: DeliveryTable[] = Array.from({ length: count }, (_, index) => {
        sequence++;
        return {
          id: `dlv_${String(sequence).padStart(8, '0')}`,
          endpoint_id: endpointId,
          event_id: `evt_${sequence}`,
          event_type: 'user.created',
          status: 'pending',
          attempt_count: 0,
          next_attempt_at: dueAt + index,
          lease_owner: lease?.owner ?? null,
          lease_expires_at: lease?.expiresAt ?? null,
          last_attempt_at: null,
          retry_origin_at: dueAt,
          retry_attempt_base: 0,
          created_at: dueAt,
          updated_at: dueAt,
        };
      });
      for (let from = 0; from < rows.length; from += 100) {
        await db()
          .insertInto('deliveries')
          .values(rows.slice(from, from + 100))
          .execute();
      }
      return rows.map((row) => row.id);
    }

    async function claim(changes: Partial<ClaimRequest> = {}): Promise<string[]> {
      const claimed = await claimDueDeliveries(rig.context, { ...REQUEST, ...changes });
      return claimed.map(({ delivery }) => delivery.id);
    }

    it('leases the oldest due deliveries across endpoints, up to each one’s limit', async () => {
      const first = await endpoint();
      const second = await endpoint();
      const a = await queue(first, 5, now() - 1000);
      const b = await queue(second, 5, now() - 500);

      const claimed = await claim();
      expect(claimed).toEqual([...a.slice(0, 3), ...b.slice(0, 3)]);

      const leased = await db()
        .selectFrom('deliveries')
        .select(['id', 'lease_owner', 'lease_expires_at'])
        .where('lease_owner', 'is not', null)
        .orderBy('id')
        .execute();
      expect(leased).toEqual(
        claimed.map((id) => ({
          id,
          lease_owner: REQUEST.owner,
          lease_expires_at: now() + REQUEST.leaseMs,
        })),
      );
      // Both endpoints now hold their three: nothing more is taken until a lease ends.
      expect(await claim()).toEqual([]);
    });

    it('takes others’ work past a full endpoint’s pile of due deliveries', async () => {
      const dead = await endpoint({ failing: true });
      const healthy = await endpoint();
      await queue(dead, 1, now() - 90_000, { owner: 'elsewhere', expiresAt: now() + 10_000 });
      await queue(dead, 500, now() - 60_000);
      const waiting = await queue(healthy, 2, now() - 10);

      expect(await claim()).toEqual(waiting);
    });

    it('gives a failing endpoint its smaller limit', async () => {
      const failing = await endpoint({ failing: true });
      const due = await queue(failing, 4, now() - 100);

      expect(await claim()).toEqual([due[0]]);
      expect(await claim()).toEqual([]);
    });

    it('leaves out what is leased or not yet due, and takes back an expired lease', async () => {
      const id = await endpoint();
      await queue(id, 1, now() - 300, { owner: 'elsewhere', expiresAt: now() + 1 });
      const expired = await queue(id, 1, now() - 200, { owner: 'gone', expiresAt: now() });
      const due = await queue(id, 1, now() - 100);
      await queue(id, 3, now() + 1);

      expect(await claim()).toEqual([...expired, ...due]);
    });

    it('claims the deliveries of an endpoint that no longer exists', async () => {
      const orphans = await queue('webhook_deleted', 2, now() - 100);

      const claimed = await claimDueDeliveries(rig.context, REQUEST);
      expect(claimed.map(({ delivery }) => delivery.id)).toEqual(orphans);
      expect(claimed.map(({ target }) => target.endpoint)).toEqual([undefined, undefined]);
    });

    it('tells when the earliest delivery not yet due becomes due, across endpoints', async () => {
      expect(await nextDueAt(rig.context.database, now())).toBeNull();
      const first = await endpoint();
      const second = await endpoint();
      await queue(first, 3, now() - 100);
      await queue(first, 1, now() + 5000);
      await queue(second, 1, now() + 2000);

      expect(await nextDueAt(rig.context.database, now())).toBe(now() + 2000);
    });

    it('reports the due backlog across endpoints, leaving out later retries', async () => {
      const first = await endpoint();
      const second = await endpoint();
      await queue(first, 3, now() - 100);
      await queue(first, 2, now() + 100);
      await queue(second, 4, now() - 50, { owner: 'elsewhere', expiresAt: now() + 1000 });

      const metric = await rig.context.metrics.registry
        .getSingleMetric('lyceum_webhook_due_backlog')
        ?.get();
      expect(metric?.values[0]?.value).toBe(7);
    });
  });
}
