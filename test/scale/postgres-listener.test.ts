/**
 * The dedicated LISTEN connection: it hears notifications, heals itself when its backend is
 * terminated (and says so once, so the dispatcher looks for what it missed), and stays down
 * once stopped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresListener } from '../../src/db/postgres/listener.js';
import { createLogger } from '../../src/shared/logger.js';
import { POSTGRES_URL, postgresAvailable } from '../support/services.js';
import { eventually } from '../support/webhook-receiver.js';

describe.skipIf(!postgresAvailable)('PostgreSQL listener [postgres]', () => {
  const suffix = randomBytes(4).toString('hex');
  const channel = `lyceum_test_${suffix}`;
  const applicationName = `lyceum_listener_${suffix}`;
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}application_name=${applicationName}`;
  let admin: pg.Client;
  let listener: PostgresListener;
  let notifications = 0;
  let listens = 0;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    listener = new PostgresListener({
      url,
      channel,
      logger: createLogger('silent'),
      onNotification: () => {
        notifications += 1;
      },
      onListening: () => {
        listens += 1;
      },
      initialDelayMs: 20,
    });
    await listener.start();
  });
  afterAll(async () => {
    await listener?.stop();
    await admin?.end();
  });

  const notify = () => admin.query(`select pg_notify('${channel}', '')`);
  const terminate = async () => {
    const result = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    return result.rowCount;
  };
  const sessions = async () =>
    (
      await admin.query('select pid from pg_stat_activity where application_name = $1', [
        applicationName,
      ])
    ).rowCount;

  it('hears a notification on its channel and only there', async () => {
    expect(listener.listening).toBe(true);
    expect(listens).toBe(1);
    await admin.query(`select pg_notify('${channel}_other', '')`);
    await notify();
    await eventually(() => notifications === 1);
    expect(notifications).toBe(1);
  });

  it('reconnects on its own after its backend is terminated and reports it once', async () => {
    expect(await terminate()).toBe(1);
    await eventually(() => listens === 2, 10_000);
    expect(listener.listening).toBe(true);

    await notify();
    await eventually(() => notifications === 2);
    expect(listens).toBe(2);
  });

  it('stays down once stopped', async () => {
    await listener.stop();
    expect(listener.listening).toBe(false);
    await eventually(async () => (await sessions()) === 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sessions()).toBe(0);
    expect(listens).toBe(2);
  });
});
