/**
 * An API process killed with SIGKILL under a stream of writes. What it answered 2xx for is
 * committed together with its event (and the event's delivery); what it never answered either
 * committed whole before the kill or left no trace at all: no user without its event, no event
 * without its user, no event without its delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/services.js';
import { insertEndpoint } from '../support/webhook-fixtures.js';
import { eventually } from '../support/webhook-receiver.js';
import {
  type Cluster,
  type ClusterProcess,
  callApi,
  createCluster,
  runPool,
  STARTUP_TIMEOUT_MS,
} from './support/cluster.js';

/** Answered creates before the kill; the stream keeps going until it happens. */
const ANSWERED_BEFORE_KILL = 150;

type Outcome = { email: string; id: string | null; status: number | null };

describe.skipIf(!postgresAvailable)('an API process killed mid-request [postgres]', () => {
  let cluster: Cluster;
  let api: ClusterProcess;

  beforeAll(async () => {
    cluster = await createCluster();
    // No dispatcher runs: the deliveries stay queued, to be counted.
    await insertEndpoint(cluster.context, 'http://127.0.0.1:9/never', ['user.created']);
    api = await cluster.start('api', 'api');
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('commits what it answered with its event, and leaves nothing half-done', async () => {
    const outcomes: Outcome[] = [];
    let answered = 0;
    let killed: Promise<void> | undefined;

    await runPool(10_000, 8, async (index) => {
      if (killed) return;
      const email = `crash${index}@example.com`;
      const outcome: Outcome = { email, id: null, status: null };
      outcomes.push(outcome);
      try {
        const reply = await callApi(api.url, cluster.adminKey, 'POST', '/v2/users', {
          email,
          firstName: 'Crash',
          lastName: `${index}`,
        });
        outcome.status = reply.status;
        outcome.id = reply.status === 201 ? reply.body.id : null;
        if (reply.status === 201) answered += 1;
      } catch {
        // No answer: the process died with this request open.
      }
      if (answered >= ANSWERED_BEFORE_KILL) killed ??= cluster.kill(api, 'SIGKILL');
    });
    await killed;

    const { db } = cluster.context.database;
    const users = await db.selectFrom('users').select(['id', 'email']).execute();
    const events = await db
      .selectFrom('events')
      .select(['id', 'data'])
      .where('type', '=', 'user.created')
      .execute();
    const deliveries = await db.selectFrom('deliveries').select('event_id').execute();

    // Atomicity: every user has exactly one event, every event a user and one delivery.
    const eventUserIds = events.map((event) => JSON.parse(event.data).userId as string);
    expect(eventUserIds.sort()).toEqual(users.map((user) => user.id).sort());
    expect(deliveries.map((row) => row.event_id).sort()).toEqual(
      events.map((event) => event.id).sort(),
    );

    // Every 2xx was committed; nothing else was answered at all.
    const userIds = new Set(users.map((user) => user.id));
    const answeredOk = outcomes.filter((outcome) => outcome.status === 201);
    for (const outcome of answeredOk) expect(userIds.has(outcome.id!)).toBe(true);
    expect(outcomes.filter((outcome) => outcome.status !== null && outcome.status !== 201)).toEqual(
      [],
    );

    // What was not answered either committed whole just before the kill or left nothing.
    const emails = new Set(users.map((user) => user.email));
    const unanswered = outcomes.filter((outcome) => outcome.status === null);
    const committedUnanswered = unanswered.filter((outcome) => emails.has(outcome.email));
    expect(unanswered.length).toBeGreaterThan(0);
    expect(users).toHaveLength(answeredOk.length + committedUnanswered.length);
    console.info(
      `${answeredOk.length} answered 201; ${unanswered.length} unanswered, of which ${committedUnanswered.length} committed whole and the rest left no trace`,
    );

    // A new process on the same database serves every committed user.
    const restarted = await cluster.start('api-2', 'api');
    await eventually(async () => {
      const page = await callApi(restarted.url, cluster.adminKey, 'GET', '/v2/users?limit=1');
      return page.status === 200;
    });
    const first = answeredOk[0]!;
    const read = await callApi(restarted.url, cluster.adminKey, 'GET', `/v2/users/${first.id}`);
    expect(read.body.email).toBe(first.email);
  }, 120_000);
});
