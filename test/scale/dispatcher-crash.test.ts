/**
 * Three dispatcher processes share thousands of deliveries to several receivers; one is
 * killed with SIGKILL mid-run. Every delivery still succeeds, and the only deliveries sent
 * twice are those the killed process held at the moment it died: leases it had taken but not
 * yet recorded, counted in the database right after the kill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../src/db/transaction.js';
import { recordEvent } from '../../src/events/outbox.js';
import { postgresAvailable } from '../support/services.js';
import { insertEndpoint } from '../support/webhook-fixtures.js';
import {
  answerAfter,
  eventually,
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

const RECEIVERS = 3;
const EVENTS = 1000;
const EVENTS_PER_TRANSACTION = 50;
const TOTAL = RECEIVERS * EVENTS;
/** Enough room per endpoint that all three dispatchers have work in flight at once. */
const LIMITS = { LYCEUM_DISPATCHER_CONCURRENCY: '32', LYCEUM_WEBHOOK_ENDPOINT_CONCURRENCY: '48' };

describe.skipIf(!postgresAvailable)('a dispatcher killed mid-run [postgres]', () => {
  let cluster: Cluster;
  let dispatchers: ClusterProcess[];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    cluster = await createCluster();
    for (let index = 0; index < RECEIVERS; index++) {
      // A few milliseconds per answer keeps attempts in flight, as real receivers do.
      const receiver = await startReceiver(answerAfter(5));
      receivers.push(receiver);
      await insertEndpoint(cluster.context, receiver.url, ['user.created']);
    }
    dispatchers = await Promise.all(
      [1, 2, 3].map((index) => cluster.start(`dispatcher-${index}`, 'dispatcher', LIMITS)),
    );
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await cluster?.dispose();
  });

  /** Records the events through the real outbox, which queues and announces their deliveries. */
  async function recordEvents(): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < EVENTS; start += EVENTS_PER_TRANSACTION) {
      await transact(cluster.context.database, async (write) => {
        for (let index = start; index < start + EVENTS_PER_TRANSACTION; index++) {
          const event = await recordEvent(cluster.context, write, 'user.created', {
            userId: `usr_crash${index}`,
          });
          ids.push(event.id);
        }
      });
    }
    return ids;
  }

  /**
   * The process holding the most leases, frozen (SIGSTOP) at a moment when it holds some: a
   * kill then certainly interrupts work. Between two claims a fast dispatcher can hold nothing
   * for a moment, or finish what it held between a look and the kill; so look, freeze, and
   * look again while it cannot move.
   */
  async function freezeBusiest(processes: ClusterProcess[]): Promise<ClusterProcess> {
    for (;;) {
      const held = await Promise.all(
        processes.map((process) => leasesHeldBy(cluster.context, process.leasePrefix)),
      );
      const most = Math.max(...held);
      if (most > 0) {
        const victim = processes[held.indexOf(most)]!;
        victim.child.kill('SIGSTOP');
        if ((await leasesHeldBy(cluster.context, victim.leasePrefix)) > 0) return victim;
        victim.child.kill('SIGCONT');
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  const received = () => receivers.reduce((sum, receiver) => sum + receiver.requests.length, 0);

  it('delivers everything, sending again only what the killed process had in flight', async () => {
    const eventIds = await recordEvents();

    await eventually(() => received() >= TOTAL / 3, 60_000);
    // The busiest one, so that the kill certainly interrupts work.
    const victim = await freezeBusiest(dispatchers);
    const survivors = dispatchers.filter((process) => process !== victim);
    await cluster.kill(victim, 'SIGKILL');
    const inFlightAtKill = await leasesHeldBy(cluster.context, victim.leasePrefix);

    await eventually(
      async () => (await deliveryStatuses(cluster.context)).succeeded === TOTAL,
      90_000,
    );
    expect(await deliveryStatuses(cluster.context)).toEqual({ succeeded: TOTAL });

    let duplicates = 0;
    for (const receiver of receivers) {
      const counts = new Map<string, number>();
      for (const request of receiver.requests) {
        const id = String(request.headers['webhook-id']);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      expect([...counts.keys()].sort()).toEqual([...eventIds].sort());
      for (const count of counts.values()) duplicates += count - 1;
    }
    console.info(
      `${TOTAL} deliveries, ${inFlightAtKill} in flight in the killed dispatcher, ${duplicates} sent twice`,
    );
    const counts = `${inFlightAtKill} held by the killed process, ${duplicates} sent twice`;
    expect(inFlightAtKill, counts).toBeGreaterThan(0);
    expect(duplicates, counts).toBeLessThanOrEqual(inFlightAtKill);
    for (const survivor of survivors) expect(survivor.child.exitCode).toBeNull();
  }, 150_000);
});
