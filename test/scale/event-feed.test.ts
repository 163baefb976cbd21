/**
 * The event feed stays gapless while three API processes write at once: a reader tailing
 * `GET /v2/events` with its cursor throughout sees every event exactly once, in commit order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, REDIS_URL, redisAvailable } from '../support/services.js';
import {
  type Cluster,
  type ClusterProcess,
  callApi,
  createCluster,
  runPool,
  STARTUP_TIMEOUT_MS,
} from './support/cluster.js';

const WRITES_PER_PROCESS = 100;

describe.skipIf(!postgresAvailable)('the event feed with several API processes [postgres]', () => {
  let cluster: Cluster;
  let apis: ClusterProcess[];

  beforeAll(async () => {
    cluster = await createCluster();
    // With Redis the processes share rate-limit counters, as they would in production.
    const env: Record<string, string> = redisAvailable ? { REDIS_URL } : {};
    apis = await Promise.all([1, 2, 3].map((index) => cluster.start(`api-${index}`, 'api', env)));
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('shows a reader every event exactly once, in order', async () => {
    let writing = true;
    const seen: string[] = [];

    const reader = (async () => {
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        // Each page from another process: they all read the same committed order.
        const api = apis[page % apis.length]!;
        const query = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const reply = await callApi(
          api.url,
          cluster.adminKey,
          'GET',
          `/v2/events?limit=20${query}`,
        );
        expect(reply.status).toBe(200);
        seen.push(...reply.body.data.map((event: { id: string }) => event.id));
        cursor = reply.body.pageInfo.cursor;
        if (reply.body.data.length === 0) {
          if (!writing) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    })();

    await Promise.all(
      apis.map((api, process) =>
        runPool(WRITES_PER_PROCESS, 5, async (index) => {
          const reply = await callApi(api.url, cluster.adminKey, 'POST', '/v2/users', {
            email: `feed${process}-${index}@example.com`,
            firstName: 'Feed',
            lastName: `${process}-${index}`,
          });
          expect(reply.status).toBe(201);
        }),
      ),
    );
    writing = false;
    await reader;

    const committed = await cluster.context.database.db
      .selectFrom('events')
      .select('id')
      .orderBy('seq')
      .execute();
    expect(committed).toHaveLength(WRITES_PER_PROCESS * apis.length);
    expect(seen).toEqual(committed.map((row) => row.id));
  }, 120_000);
});
