import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl, parseDuration } from './config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.database).toEqual({ kind: 'sqlite', path: './data/lyceum.db' });
    expect(config.logLevel).toBe('info');
    expect(config.role).toBe('all');
    expect(config.webhooks.retrySchedule).toHaveLength(10);
    expect(config.webhooks.timeoutMs).toBe(15_000);
    expect(config.webhooks.allowHttp).toBe(false);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u@db:5432/lyceum',
      LOG_LEVEL: 'debug',
      LYCEUM_ADMIN_API_KEY: 'a-very-long-admin-secret-value',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8, 10.0.0.0/8',
      LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
      LYCEUM_WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s',
    });
    expect(config.port).toBe(9000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/lyceum' });
    expect(config.adminApiKey).toBe('a-very-long-admin-secret-value');
    expect(config.webhooks.allowedCidrs).toEqual(['127.0.0.0/8', '10.0.0.0/8']);
    expect(config.webhooks.allowHttp).toBe(true);
    expect(config.webhooks.retrySchedule).toEqual([1000, 1000, 2000]);
  });

  it.each([
    ['PORT', 'eighty', /PORT is not valid: expected a whole number from 0 to 65535/],
    ['PORT', '70000', /PORT is not valid/],
    [
      'DATABASE_URL',
      'mysql://x',
      /DATABASE_URL is not valid: expected sqlite:<file path> or postgres/,
    ],
    ['DATABASE_URL', 'sqlite:', /DATABASE_URL is not valid/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL is not valid: expected one of fatal, error/],
    [
      'LYCEUM_WEBHOOK_ALLOW_HTTP',
      'maybe',
      /LYCEUM_WEBHOOK_ALLOW_HTTP is not valid: expected true or false/,
    ],
    ['LYCEUM_WEBHOOK_RETRY_SCHEDULE', '1s,soon', /LYCEUM_WEBHOOK_RETRY_SCHEDULE is not valid/],
    ['LYCEUM_WEBHOOK_ALLOWED_CIDRS', '10.0.0.0/99', /LYCEUM_WEBHOOK_ALLOWED_CIDRS is not valid/],
    ['LYCEUM_ADMIN_API_KEY', 'short', /LYCEUM_ADMIN_API_KEY is not valid/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL is not valid/],
  ])('refuses a bad %s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('parses database URLs and durations', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/lyceum.db')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/lyceum.db',
    });
    expect(parseDatabaseUrl('postgresql://h/db').kind).toBe('postgres');
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('reads the settings of running several processes', () => {
    const defaults = loadConfig({});
    expect(defaults.databasePoolSize).toBe(10);
    expect(defaults.webhooks.pollIntervalMs).toBe(1000);
    expect(defaults.webhooks.shutdownGraceMs).toBeUndefined();

    const config = loadConfig({
      LYCEUM_DATABASE_POOL_SIZE: '4',
      LYCEUM_DISPATCHER_POLL_INTERVAL: '1m',
      LYCEUM_DISPATCHER_SHUTDOWN_GRACE: '200ms',
    });
    expect(config.databasePoolSize).toBe(4);
    expect(config.webhooks.pollIntervalMs).toBe(60_000);
    expect(config.webhooks.shutdownGraceMs).toBe(200);
    expect(() => loadConfig({ LYCEUM_DATABASE_POOL_SIZE: '0' })).toThrow(
      /LYCEUM_DATABASE_POOL_SIZE is not valid/,
    );
    expect(() => loadConfig({ LYCEUM_DISPATCHER_SHUTDOWN_GRACE: 'later' })).toThrow(
      /LYCEUM_DISPATCHER_SHUTDOWN_GRACE is not valid/,
    );
  });
});
