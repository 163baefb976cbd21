/**
 * Operating dispatcher processes: a dispatcher-only process answers /healthz and /readyz
 * (database, and Redis when configured), and on SIGTERM it hands the leases of attempts still
 * open back at once, so another dispatcher sends them right away rather than after the lease
 * would have run out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../src/db/transaction.js';
import { recordEvent } from '../../src/events/outbox.js';
import { postgresAvailable, REDIS_URL, redisAvailable } from '../support/services.js';
import { insertEndpoint } from '../support/webhook-fixtures.js';
import {
  answer,
  blackHole,
  eventually,
  inTurn,
  type Receiver,
  startReceiver,
} from '../support/webhook-receiver.js';
import {
  type Cluster,
  type ClusterProcess,
  createCluster,
  deliveryStatuses,
  leasesHeldBy,
  STARTUP_TIMEOUT_MS,
} from './support/cluster.js';

const STUCK = 8;
/** Far longer than the test: work that moves on did so because it was handed back. */
const LONG = '60s';

describe.skipIf(!postgresAvailable)('dispatcher operations [postgres]', () => {
  let cluster: Cluster;
  let first: ClusterProcess;
  let receiver: Receiver;

  beforeAll(async () => {
    cluster = await createCluster();
    // The first STUCK requests never get an answer; later ones succeed at once.
    receiver = await startReceiver(inTurn(...Array(STUCK).fill(blackHole), answer(200)));
    await insertEndpoint(cluster.context, receiver.url, ['user.created']);
    first = await cluster.start('dispatcher-1', 'dispatcher', {
      ...(redisAvailable ? { REDIS_URL } : {}),
      LYCEUM_DISPATCHER_LEASE: LONG,
      LYCEUM_WEBHOOK_TIMEOUT: '30s',
      LYCEUM_DISPATCHER_SHUTDOWN_GRACE: '200ms',
    });
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await receiver?.close();
    await cluster?.dispose();
  });

  it('serves /healthz and /readyz from a dispatcher-only process', async () => {
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);
    const body: any = await ready.json();
    expect(body.checks.database).toEqual({ ok: true });
    expect(body.checks.rateLimit).toMatchObject(
      redisAvailable ? { store: 'redis', ok: true } : { store: 'memory', ok: true },
    );
  });

  it('releases its leases at once on SIGTERM, and another dispatcher takes the work', async () => {
    await transact(cluster.context.database, async (write) => {
      for (let index = 0; index < STUCK; index++) {
        await recordEvent(cluster.context, write, 'user.created', { userId: `usr_stuck${index}` });
      }
    });
    await receiver.waitForRequests(STUCK, 15_000);
    expect(await leasesHeldBy(cluster.context, first.leasePrefix)).toBe(STUCK);

    // It polls once a minute, so only the wake-up sent with the handed-back leases moves it.
    const second = await cluster.start('dispatcher-2', 'dispatcher', {
      LYCEUM_DISPATCHER_POLL_INTERVAL: LONG,
    });
    expect(await leasesHeldBy(cluster.context, second.leasePrefix)).toBe(0);

    await cluster.kill(first, 'SIGTERM');
    expect(first.child.exitCode).toBe(0);
    expect(await leasesHeldBy(cluster.context, first.leasePrefix)).toBe(0);

    await eventually(
      async () => (await deliveryStatuses(cluster.context)).succeeded === STUCK,
      15_000,
    );
    expect(receiver.requests).toHaveLength(STUCK * 2);
    // The aborted attempts recorded nothing: each delivery has exactly its successful attempt.
    const attempts = await cluster.context.database.db
      .selectFrom('delivery_attempts')
      .select('status_code')
      .execute();
    expect(attempts.map((attempt) => attempt.status_code)).toEqual(Array(STUCK).fill(200));
  }, 120_000);
});
