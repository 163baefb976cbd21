/**
 * Crash recovery on the embedded default: a real `lyceum serve` on SQLite is killed with
 * SIGKILL in the middle of a burst of writes and deliveries, then started again on the same
 * file. Every event that was committed must reach the receiver, and the only duplicates are
 * deliveries that were in flight when the process died.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { runCli, startServe, stopChild } from './support/cli.js';
import {
  answerAfter,
  eventually,
  type Receiver,
  startReceiver,
} from './support/webhook-receiver.js';

const BURST = 300;
const CONCURRENT_REQUESTS = 10;
/** The dispatcher's attempts in flight at once: the most that can be delivered twice. */
const DISPATCHER_CONCURRENCY = 16;
/** Kill once this many users were created, while the rest of the burst is still coming. */
const KILL_AFTER = 120;

describe('crash recovery [sqlite, lyceum serve]', () => {
  let dir: string;
  let env: Record<string, string>;
  let receiver: Receiver;
  let adminKey: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lyceum-crash-'));
    env = {
      DATABASE_URL: `sqlite:${join(dir, 'lyceum.db')}`,
      LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
      LYCEUM_WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms',
      LYCEUM_DISPATCHER_CONCURRENCY: String(DISPATCHER_CONCURRENCY),
      // Leases held by the killed process must run out quickly for the test to stay short.
      LYCEUM_DISPATCHER_LEASE: '1s',
    };
    const created = await runCli(
      [
        'api-keys',
        'create',
        '--name',
        'crash',
        '--scopes',
        'admin',
        '--rate-limit',
        '1000000/min',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    adminKey = JSON.parse(created.stdout).key;
    // Slower than the burst arrives, so deliveries queue up and are in flight at the kill.
    receiver = await startReceiver(answerAfter(30));
  });
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) await stopChild(child);
    }
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(): Promise<string> {
    const started = await startServe(env);
    children.push(started.child);
    return started.url;
  }

  async function post(url: string, path: string, body: unknown): Promise<Response> {
    return fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Creates users until the burst is spent or the server is gone; returns the ids answered. */
  async function burst(url: string, onCreated: (count: number) => void): Promise<string[]> {
    const created: string[] = [];
    let next = 0;
    const client = async () => {
      while (next < BURST) {
        const index = next++;
        try {
          const response = await post(url, '/v2/users', {
            email: `learner-${index}@example.com`,
            firstName: 'Crash',
            lastName: `Test ${index}`,
          });
          if (response.status !== 201) continue;
          created.push(((await response.json()) as { id: string }).id);
          onCreated(created.length);
        } catch {
          // The server was killed: this request may or may not have committed.
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, client));
    return created;
  }

  async function committedEvents(): Promise<Array<{ id: string; userId: string }>> {
    const database = openDatabase({ kind: 'sqlite', path: join(dir, 'lyceum.db') });
    try {
      const rows = await database.db
        .selectFrom('events')
        .select(['id', 'data'])
        .where('type', '=', 'user.created')
        .execute();
      return rows.map((row) => ({ id: row.id, userId: JSON.parse(row.data).userId as string }));
    } finally {
      await database.close();
    }
  }

  async function pendingDeliveries(): Promise<number> {
    const database = openDatabase({ kind: 'sqlite', path: join(dir, 'lyceum.db') });
    try {
      const rows = await database.db
        .selectFrom('deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      return rows.length;
    } finally {
      await database.close();
    }
  }

  it('delivers every committed event after a SIGKILL mid-burst, duplicating only what was in flight', async () => {
    const firstUrl = await serve();
    const endpoint = await post(firstUrl, '/v2/webhooks', {
      url: receiver.url,
      eventTypes: ['user.created'],
    });
    expect(endpoint.status).toBe(201);

    const [victim] = children;
    const killed = new Promise<void>((resolve) => victim!.once('exit', () => resolve()));
    const answered = await burst(firstUrl, (count) => {
      if (count === KILL_AFTER) victim!.kill('SIGKILL');
    });
    await killed;

    // The crash left work behind: otherwise this test would prove nothing.
    const leftBehind = await pendingDeliveries();
    expect(leftBehind).toBeGreaterThan(0);
    const events = await committedEvents();
    // Every user whose creation was confirmed has its event; requests cut off by the kill may
    // have committed too, and those must be delivered just the same.
    const announced = new Set(events.map((event) => event.userId));
    expect(answered.filter((userId) => !announced.has(userId))).toEqual([]);
    expect(events.length).toBeLessThan(BURST);
    await serve();
    await eventually(async () => (await pendingDeliveries()) === 0, 20_000);
    const received = receiver.requests.map((request) => String(request.headers['webhook-id']));
    const receivedIds = new Set(received);
    expect(events.filter((event) => !receivedIds.has(event.id))).toEqual([]);
    const duplicates = received.length - receivedIds.size;
    expect(duplicates).toBeLessThanOrEqual(DISPATCHER_CONCURRENCY);
    // Nothing arrived that was never committed.
    const committedIds = new Set(events.map((event) => event.id));
    expect([...receivedIds].filter((id) => !committedIds.has(id))).toEqual([]);
  });
});
