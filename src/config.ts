/**
 * Every setting Lyceum reads, parsed once from the environment into one typed object.
 *
 * A bad value stops start-up with a single line that names the variable and what is
 * allowed, so an operator can fix a deployment without reading code.
 */
import { parseCidrList } from './webhooks/cidr.js';

/** Where the data lives: an embedded SQLite file or a PostgreSQL server. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Which parts of Lyceum a process runs. */
export type Role = 'api' | 'dispatcher' | 'all';

export interface WebhookSettings {
  /** Address ranges a webhook may reach although they are private, loopback or link-local. */
  allowedCidrs: string[];
  /** Whether plain-http webhook URLs are accepted. */
  allowHttp: boolean;
  /** Delays in milliseconds between consecutive attempts; its length + 1 is the attempt count. */
  retrySchedule: number[];
  /** How long one attempt may take before it counts as a timeout. */
  timeoutMs: number;
  /** How long the previous secret keeps signing after a rotation. */
  secretGraceMs: number;
  /** How long an endpoint may fail without a single success before it is disabled. */
  disableAfterMs: number;
  /** Attempts in flight at once in one dispatcher process. */
  concurrency: number;
  /** Attempts in flight at once to one endpoint, across all dispatcher processes. */
  perEndpointConcurrency: number;
  /**
   * Attempts in flight at once to an endpoint that is failing (no success since its last
   * failure), across all dispatcher processes: enough to notice its recovery, while the rest of
   * its share goes to endpoints that answer.
   */
  failingEndpointConcurrency: number;
  /** How long a claimed delivery stays with its dispatcher before it returns to the queue. */
  leaseMs: number;
  /**
   * How often a dispatcher looks for work no wake-up announced: leases that ran out in a
   * crashed process, or work committed while its PostgreSQL listener was reconnecting.
   */
  pollIntervalMs: number;
  /**
   * How long a stopping dispatcher waits for attempts in flight before handing them back;
   * unset, the webhook timeout and a second more, so every attempt can end on its own.
   */
  shutdownGraceMs: number | undefined;
  /** How much of a receiver's response body is kept with the attempt. */
  responseBodyCapBytes: number;
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseTarget;
  /** PostgreSQL connections one process keeps open at most (the LISTEN connection is extra). */
  databasePoolSize: number;
  logLevel: string;
  role: Role;
  adminApiKey: string | undefined;
  redisUrl: string | undefined;
  /** Whether `/metrics` answers without an API key. */
  metricsPublic: boolean;
  webhooks: WebhookSettings;
}

/** A setting that cannot be used; its message is the one line an operator sees. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ROLES: Role[] = ['api', 'dispatcher', 'all'];

/** The retry delays a delivery gets when the operator sets none: 10 attempts within 24 hours. */
export const DEFAULT_RETRY_SCHEDULE = '5s,30s,2m,10m,30m,1h,2h,4h,6h,8h';

/** Reads the whole configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  return {
    port: readInteger(env, 'PORT', 8080, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    database: parseDatabaseUrl(env.DATABASE_URL ?? 'sqlite:./data/lyceum.db'),
    databasePoolSize: readInteger(env, 'LYCEUM_DATABASE_POOL_SIZE', 10, 1, 1000),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    role: readChoice(env, 'LYCEUM_ROLE', ROLES, 'all') as Role,
    adminApiKey: readAdminKey(env),
    redisUrl: readRedisUrl(env),
    metricsPublic: readBoolean(env, 'LYCEUM_METRICS_PUBLIC', true),
    webhooks: {
      allowedCidrs: readCidrs(env),
      allowHttp: readBoolean(env, 'LYCEUM_WEBHOOK_ALLOW_HTTP', false),
      retrySchedule: readDurationList(env, 'LYCEUM_WEBHOOK_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE),
      timeoutMs: readDuration(env, 'LYCEUM_WEBHOOK_TIMEOUT', '15s'),
      secretGraceMs: readDuration(env, 'LYCEUM_WEBHOOK_SECRET_GRACE', '24h'),
      disableAfterMs: readDuration(env, 'LYCEUM_WEBHOOK_DISABLE_AFTER', '24h'),
      concurrency: readInteger(env, 'LYCEUM_DISPATCHER_CONCURRENCY', 64, 1, 10_000),
      perEndpointConcurrency: readInteger(env, 'LYCEUM_WEBHOOK_ENDPOINT_CONCURRENCY', 16, 1, 1000),
      failingEndpointConcurrency: readInteger(
        env,
        'LYCEUM_WEBHOOK_FAILING_ENDPOINT_CONCURRENCY',
        2,
        1,
        1000,
      ),
      leaseMs: readDuration(env, 'LYCEUM_DISPATCHER_LEASE', '60s'),
      pollIntervalMs: readDuration(env, 'LYCEUM_DISPATCHER_POLL_INTERVAL', '1s'),
      shutdownGraceMs: readOptionalDuration(env, 'LYCEUM_DISPATCHER_SHUTDOWN_GRACE'),
      responseBodyCapBytes: readInteger(env, 'LYCEUM_WEBHOOK_RESPONSE_CAP', 4096, 0, 1 << 20),
    },
  };
}

/** Turns `sqlite:<path>` or `postgres://…` into a database target. */
export function parseDatabaseUrl(value: string): DatabaseTarget {
  const url = value.trim();
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError(badValue('DATABASE_URL', 'sqlite:<file path>'));
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError(badValue('DATABASE_URL', 'a valid postgres:// URL'));
    }
    return { kind: 'postgres', url };
  }
  throw new ConfigError(badValue('DATABASE_URL', 'sqlite:<file path> or postgres://user@host/db'));
}

/** Parses `500ms`, `5s`, `2m`, `1h`, `1d` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

function badValue(name: string, allowed: string): string {
  return `${name} is not valid: expected ${allowed}`;
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(badValue(name, `a whole number from ${min} to ${max}, got "${raw}"`));
  }
  return value;
}

function readChoice(env: Env, name: string, choices: string[], fallback: string): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!choices.includes(raw)) {
    throw new ConfigError(badValue(name, `one of ${choices.join(', ')}, got "${raw}"`));
  }
  return raw;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(badValue(name, `true or false, got "${raw}"`));
}

function readDuration(env: Env, name: string, fallback: string): number {
  const raw = env[name]?.trim() || fallback;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(badValue(name, `a duration such as 500ms, 15s, 2m or 24h, got "${raw}"`));
  }
  return ms;
}

function readOptionalDuration(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  return readDuration(env, name, raw);
}

function readDurationList(env: Env, name: string, fallback: string): number[] {
  const raw = env[name]?.trim() || fallback;
  const delays = raw.split(',').map((part) => parseDuration(part));
  if (delays.length === 0 || delays.some((ms) => ms === undefined || ms <= 0)) {
    throw new ConfigError(
      badValue(name, `comma-separated durations such as 5s,30s,2m, got "${raw}"`),
    );
  }
  return delays as number[];
}

function readCidrs(env: Env): string[] {
  const raw = env.LYCEUM_WEBHOOK_ALLOWED_CIDRS?.trim() ?? '';
  if (raw === '') return [];
  try {
    return parseCidrList(raw).map((range) => range.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`LYCEUM_WEBHOOK_ALLOWED_CIDRS is not valid: ${reason}`);
  }
}

function readAdminKey(env: Env): string | undefined {
  const raw = env.LYCEUM_ADMIN_API_KEY?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 24 || /\s/.test(raw)) {
    throw new ConfigError(
      badValue('LYCEUM_ADMIN_API_KEY', 'at least 24 characters without spaces (a random secret)'),
    );
  }
  return raw;
}

function readRedisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^rediss?:\/\//.test(raw)) {
    throw new ConfigError(badValue('REDIS_URL', `a redis:// or rediss:// URL, got "${raw}"`));
  }
  return raw;
}
