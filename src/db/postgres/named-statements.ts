/**
 * Statements the delivery path runs for every event and every batch are kept prepared on each
 * PostgreSQL connection. pg sends an unnamed statement's text with every call, and the server
 * parses, analyses and plans it each time; for the outbox's and the dispatcher's CTEs that is
 * a large part of the server's work per call. A named statement is parsed once per connection
 * and its plan is cached by the server (a generic plan once it is as cheap as the custom ones).
 *
 * The texts come from prepareQuery (../prepared-query.ts), compiled once per dialect and list
 * length, so their set is small and bounded. Kysely hands pg the text and the values; the pool's
 * client class looks the text up and, when it is kept, runs it under its name.
 *
 * A statement prepared before a schema change that alters its result columns (`select *` after
 * a migration run by another process) fails with "cached plan must not change result type". The
 * client then prepares the text again under a new name: at once, for the same call, when the
 * statement ran on its own; inside a transaction, which the failure has aborted, the call fails
 * like any other failed statement and the next one uses the new name.
 */
import pg from 'pg';

/** Names of the kept texts, unique in this process. */
const names = new Map<string, string>();

/** Marks `text` to be kept prepared on every connection that runs it. */
export function keepPrepared(text: string): void {
  if (!names.has(text)) names.set(text, `lyceum_${names.size + 1}`);
}

/** How PostgreSQL reports a kept statement whose result columns changed under it. */
const CACHED_PLAN_CHANGED = { code: '0A000', message: 'cached plan must not change result type' };

/** Whether `error` is CACHED_PLAN_CHANGED (its code alone is the broad feature_not_supported). */
function cachedPlanChanged(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === CACHED_PLAN_CHANGED.code && message === CACHED_PLAN_CHANGED.message;
}

type Query = (...args: unknown[]) => unknown;

/** The pool's client: runs kept texts as named statements (see the module comment). */
export class NamedStatementClient extends pg.Client {
  /** Texts this connection had to prepare again, with how many times. */
  private readonly renamed = new Map<string, number>();

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const plain = this.query.bind(this) as Query;
    // Kysely runs every statement as `query(text, values)` and reads the returned promise.
    this.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const base = args.length === 2 && typeof text === 'string' ? names.get(text) : undefined;
      if (base === undefined || !Array.isArray(values)) return plain(...args);
      return this.named(plain, text as string, base, values).catch((error: unknown) => {
        if (!cachedPlanChanged(error)) throw error;
        this.renamed.set(text as string, (this.renamed.get(text as string) ?? 0) + 1);
        // 'I': idle, no transaction was open, so nothing was lost and the call can run again.
        if (this.getTransactionStatus() !== 'I') throw error;
        return this.named(plain, text as string, base, values);
      });
    }) as typeof this.query;
  }

  /** Runs `text` under its current name on this connection. */
  private named(plain: Query, text: string, base: string, values: unknown[]) {
    const times = this.renamed.get(text);
    const name = times === undefined ? base : `${base}_${times}`;
    return plain({ name, text, values }) as Promise<pg.QueryResult>;
  }
}
