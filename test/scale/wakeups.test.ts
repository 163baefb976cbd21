/**
 * Wake-ups between processes: a delivery committed by an API process starts in a separate
 * dispatcher process through LISTEN/NOTIFY, not through the fallback poll, and keeps doing so
 * after the dispatcher's connections are cut.
 *
 * The dispatcher's poll interval is set to a minute, so a delivery that arrives within the
 * few seconds each wait allows can only have been started by a wake-up.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/services.js';
import { insertEndpoint } from '../support/webhook-fixtures.js';
import { eventually, type Receiver, startReceiver } from '../support/webhook-receiver.js';
import {
  type Cluster,
  type ClusterProcess,
  callApi,
  createCluster,
  deliveryStatuses,
  STARTUP_TIMEOUT_MS,
} from './support/cluster.js';

const POLL_INTERVAL_MS = 60_000;
/** Far below the poll interval: arriving within it proves a wake-up. */
const ARRIVAL_WAIT_MS = 8000;

describe.skipIf(!postgresAvailable)('wake-ups across processes [postgres]', () => {
  let cluster: Cluster;
  let api: ClusterProcess;
  let receiver: Receiver;

  beforeAll(async () => {
    cluster = await createCluster();
    receiver = await startReceiver();
    await insertEndpoint(cluster.context, receiver.url, ['user.created']);
    const env = { LYCEUM_DISPATCHER_POLL_INTERVAL: `${POLL_INTERVAL_MS}ms` };
    [api] = await Promise.all([
      cluster.start('api', 'api'),
      cluster.start('dispatcher', 'dispatcher', env),
    ]);
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await receiver?.close();
    await cluster?.dispose();
  });

  /** Creates a user through the API process; resolves with how long its webhook took. */
  async function timeOneDelivery(index: number): Promise<number> {
    const before = receiver.requests.length;
    const startedAt = Date.now();
    const created = await callApi(api.url, cluster.adminKey, 'POST', '/v2/users', {
      email: `wake${index}@example.com`,
      firstName: 'Wake',
      lastName: `Up ${index}`,
    });
    expect(created.status).toBe(201);
    await receiver.waitForRequests(before + 1, ARRIVAL_WAIT_MS);
    const delivered = receiver.requests[before]!;
    expect(JSON.parse(delivered.body).data.userId).toBe(created.body.id);
    // Recorded before the next one commits, so that only a wake-up can start the next one.
    await eventually(async () => (await deliveryStatuses(cluster.context)).pending === undefined);
    return delivered.receivedAt - startedAt;
  }

  it('starts a delivery committed by the API process in the dispatcher process at once', async () => {
    // Each one finds the dispatcher asleep until its minute-long poll: after a delivery it
    // looks for more, finds none and sleeps again.
    const latencies = [];
    for (let index = 0; index < 5; index++) latencies.push(await timeOneDelivery(index));
    console.info(`POST to webhook across processes, ms: ${latencies.join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(POLL_INTERVAL_MS);
  });

  it('listens again after its connections are cut, and keeps waking', async () => {
    const listenerPids = () =>
      sql<{ pid: number }>`
        select pid from pg_stat_activity
        where application_name = ${`${cluster.appName}_dispatcher`} and query ilike 'listen %'`
        .execute(cluster.context.database.db)
        .then((result) => result.rows.map((row) => row.pid));
    const [before] = await listenerPids();
    expect(before).toBeDefined();

    expect(await cluster.cutConnections('dispatcher')).toBeGreaterThan(0);
    await eventually(async () => {
      const pids = await listenerPids();
      return pids.length === 1 && pids[0] !== before;
    }, 10_000);

    const latency = await timeOneDelivery(100);
    expect(latency).toBeLessThan(POLL_INTERVAL_MS);
  });
});
