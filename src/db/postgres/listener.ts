/**
 * A PostgreSQL LISTEN on one dedicated connection that heals itself.
 *
 * The connection is not taken from the pool: a LISTEN belongs to the session that issued it,
 * and a pooled connection is handed to whoever asks next. When the connection drops (a server
 * restart, a terminated backend, a network cut) the listener reconnects with capped,
 * jittered backoff and says so through `onListening`, because whatever was announced while it
 * was away is lost: NOTIFY is not queued for sessions that are not listening.
 */
import pg from 'pg';
import { toError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { APPLICATION_NAME } from './dialect.js';

/** What to listen to and what to do about it. */
export interface ListenerOptions {
  /** The DATABASE_URL; its search path does not matter, channels are database-wide. */
  url: string;
  channel: string;
  logger: Logger;
  /** Called for every notification on the channel. */
  onNotification: () => void;
  /**
   * Called each time LISTEN is in place, the first time and after every reconnect: anything
   * announced before that was not heard, so the caller should look for work once.
   */
  onListening: () => void;
  /** The first reconnect delay; it doubles on each failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

const INITIAL_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;
/** TCP keepalive finds a silently dead connection (a cut network) without our own heartbeat. */
const KEEPALIVE_DELAY_MS = 10_000;

/** Listens on one channel until stopped, reconnecting whenever the connection is lost. */
export class PostgresListener {
  private client: pg.Client | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: ListenerOptions) {
    this.log = options.logger.child({ component: 'postgres-listener', channel: options.channel });
  }

  /** Whether LISTEN is in place right now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Connects and listens. Resolves after the first try, whether or not it worked: a database
   * that is not there yet is retried in the background, like a lost connection.
   */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  /** Stops listening and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      fallback_application_name: APPLICATION_NAME,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    });
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.onNotification();
    });
    // Without an error listener a dropped idle connection would crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));

    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.options.channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      this.retry(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }

    this.client = client;
    if (this.failures > 0) this.log.info('listening again after a lost connection');
    this.failures = 0;
    this.options.onListening();
  }

  /** The current connection ended or failed: listen again on a new one. */
  private lost(client: pg.Client, error: Error | undefined): void {
    // A connection that failed while connecting is retried by connect(); an old one is gone.
    if (client !== this.client) return;
    this.client = undefined;
    void client.end().catch(() => {});
    if (this.stopped) return;
    this.retry(error ?? new Error('the connection was closed by the server'));
  }

  private retry(error: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const delayMs = backoff(this.failures, this.options);
    const level = this.failures === 1 ? 'warn' : 'debug';
    this.log[level](
      { err: toError(error), retryInMs: delayMs },
      'the LISTEN connection to PostgreSQL is down; reconnecting (wake-ups wait for the fallback poll meanwhile)',
    );
    this.timer = setTimeout(() => void this.connect(), delayMs);
    // An open server keeps the process alive; a reconnect timer alone should not.
    this.timer.unref();
  }
}

/** Doubling delays with full jitter in the upper half, so listeners do not reconnect in step. */
function backoff(failures: number, options: ListenerOptions): number {
  const initial = options.initialDelayMs ?? INITIAL_DELAY_MS;
  const max = options.maxDelayMs ?? MAX_DELAY_MS;
  const ceiling = Math.min(max, initial * 2 ** (failures - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
