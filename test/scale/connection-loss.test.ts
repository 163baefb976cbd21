/**
 * PostgreSQL connections cut while an API process takes writes and two dispatcher processes
 * deliver them: every backend of this cluster is terminated, twice, mid-run. The processes
 * reconnect on their own (pool and LISTEN connection alike) and finish the work.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  callApi,
  createCluster,
  deliveryStatuses,
  runPool,
  STARTUP_TIMEOUT_MS,
} from './support/cluster.js';

const USERS = 300;

describe.skipIf(!postgresAvailable)('PostgreSQL connections cut mid-run [postgres]', () => {
  let cluster: Cluster;
  let processes: ClusterProcess[];
  let api: ClusterProcess;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    cluster = await createCluster();
    for (let index = 0; index < 2; index++) {
      const receiver = await startReceiver(answerAfter(5));
      receivers.push(receiver);
      await insertEndpoint(cluster.context, receiver.url, ['user.created']);
    }
    processes = await Promise.all([
      cluster.start('api', 'api'),
      cluster.start('dispatcher-1', 'dispatcher'),
      cluster.start('dispatcher-2', 'dispatcher'),
    ]);
    api = processes[0]!;
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await cluster?.dispose();
  });

  /**
   * Creates one user, retrying as a careful client does while the API answers 5xx or not at
   * all; a 409 means an earlier try committed before its answer was lost.
   */
  async function createUser(index: number): Promise<void> {
    const body = { email: `cut${index}@example.com`, firstName: 'Cut', lastName: `${index}` };
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`the API took no write of user ${index} in 20 s`);
      const status = await callApi(api.url, cluster.adminKey, 'POST', '/v2/users', body).then(
        (answer) => answer.status,
        () => 0,
      );
      if (status === 201 || status === 409) return;
      expect(status === 0 || status >= 500, `unexpected status ${status}`).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function listenerCount(): Promise<number> {
    const result = await sql<{ count: number }>`
      select count(*)::int as count from pg_stat_activity
      where application_name like ${`${cluster.appName}\\_dispatcher-%`} and query ilike 'listen %'`.execute(
      cluster.context.database.db,
    );
    return result.rows[0]?.count ?? 0;
  }

  it('reconnects on its own and delivers everything', async () => {
    let created = 0;
    const cuts: number[] = [];
    const cutAt = new Set([Math.floor(USERS / 4), Math.floor((USERS * 3) / 4)]);
    await runPool(USERS, 8, async (index) => {
      await createUser(index);
      created += 1;
      if (cutAt.has(created)) cuts.push(await cluster.cutConnections());
    });
    expect(cuts).toHaveLength(2);
    for (const cut of cuts) expect(cut).toBeGreaterThan(0);

    const users = await cluster.context.database.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'user.created')
      .execute();
    expect(users).toHaveLength(USERS);
    const expected = users.map((row) => row.id).sort();

    await eventually(
      async () => (await deliveryStatuses(cluster.context)).succeeded === USERS * 2,
      60_000,
    );
    expect(await deliveryStatuses(cluster.context)).toEqual({ succeeded: USERS * 2 });
    for (const receiver of receivers) {
      const ids = new Set(
        receiver.requests.map((request) => String(request.headers['webhook-id'])),
      );
      expect([...ids].sort()).toEqual(expected);
    }

    for (const process of processes) {
      expect(process.child.exitCode).toBeNull();
      expect((await fetch(`${process.url}/readyz`)).status).toBe(200);
    }
    await eventually(async () => (await listenerCount()) === 2, 10_000);
  }, 120_000);
});
