/**
 * Statements that the outbox and the dispatcher run for every event and every delivery, built
 * and compiled by Kysely once per dialect and list length instead of once per call. Building a
 * query and compiling it to SQL cost more CPU than SQLite takes to run the small statements of
 * the delivery path, and the objects they make keep the garbage collector busy; the compiled
 * text and its parameter list are kept and only the arguments change from call to call.
 *
 * A statement with a list whose length varies (`id in (…)`, a multi-row insert) is compiled once
 * per length: its builder receives the length and lays out that many placeholders. The lengths
 * are bounded by the dispatcher's concurrency and the number of endpoints, so the set of texts
 * stays small, and SQLite's statement cache keeps each prepared.
 *
 * The compiled query runs through the executor it is given (the database or a transaction), so
 * it takes part in transactions, connection locks and plugins exactly as a built query would.
 */
import {
  CompiledQuery,
  type Kysely,
  type QueryExecutorProvider,
  type QueryResult,
  type Transaction,
} from 'kysely';
import type { Database, DialectName } from './database.js';
import { keepPrepared } from './postgres/named-statements.js';
import type { Schema } from './schema.js';
import type { WriteContext } from './transaction.js';

/** Stands for the argument at `index` while the query is compiled. */
export class Placeholder {
  constructor(readonly index: number) {}
}

/** A placeholder for the argument at `index`, typed as whatever the builder expects there. */
export function placeholder<T>(index: number): T {
  return new Placeholder(index) as T;
}

/** Placeholders for the `size` arguments from `from` on, for a list of values. */
export function placeholderList<T>(from: number, size: number): T[] {
  return Array.from({ length: size }, (_, offset) => placeholder<T>(from + offset));
}

/** The compiled parameters with each placeholder replaced by its argument. */
export function bindArguments(parameters: readonly unknown[], args: readonly unknown[]): unknown[] {
  const bound = new Array<unknown>(parameters.length);
  for (let index = 0; index < parameters.length; index++) {
    const value = parameters[index];
    bound[index] = value instanceof Placeholder ? args[value.index] : value;
  }
  return bound;
}

/** Where a prepared query runs: on the database, or in an open transaction. */
export type QueryTarget = Database | WriteContext;

function executorOf(target: QueryTarget): Kysely<Schema> | Transaction<Schema> {
  return 'trx' in target ? target.trx : target.db;
}

/**
 * Builds the query for lists of `size` items; `param(i)` stands for the i-th argument of each
 * call, `placeholderList` for a run of them. Building must not depend on anything but the
 * dialect and `size`.
 */
export type QueryBuilder<Row> = (
  db: Kysely<Schema>,
  param: <T>(index: number) => T,
  size: number,
  dialect: DialectName,
) => Buildable<Row>;

/** A query builder or a raw `sql` template: anything that compiles to one statement. */
interface Buildable<Row> {
  compile(provider: QueryExecutorProvider): CompiledQuery<Row>;
}

interface Compiled {
  sql: string;
  parameters: readonly unknown[];
}

/** A query compiled once per dialect and list length; see the module comment. */
export interface PreparedQuery<Row> {
  /**
   * Runs the query compiled for lists of `size` items with `args` in place of its placeholders
   * (list items laid out in the order the builder numbered them).
   */
  execute(target: QueryTarget, size: number, args: readonly unknown[]): Promise<QueryResult<Row>>;
  /** The same, answering the rows. */
  rows(target: QueryTarget, size: number, args: readonly unknown[]): Promise<Row[]>;
}

/** Prepares a query; `build` runs once per dialect and list length it is used with. */
export function prepareQuery<Row>(build: QueryBuilder<Row>): PreparedQuery<Row> {
  // By dialect, then by list length.
  const compiledBy: Record<DialectName, Compiled[]> = { sqlite: [], postgres: [] };

  const compiled = (target: QueryTarget, size: number): Compiled => {
    const bySize = compiledBy[target.dialect];
    let found = bySize[size];
    if (!found) {
      const executor = executorOf(target);
      const { sql, parameters } = build(executor, placeholder, size, target.dialect).compile(
        executor,
      );
      found = { sql, parameters };
      bySize[size] = found;
      if (target.dialect === 'postgres') keepPrepared(sql);
    }
    return found;
  };

  const execute = (target: QueryTarget, size: number, args: readonly unknown[]) => {
    const { sql, parameters } = compiled(target, size);
    return executorOf(target).executeQuery<Row>(
      CompiledQuery.raw(sql, bindArguments(parameters, args)),
    );
  };

  return {
    execute,
    rows: async (target, size, args) => (await execute(target, size, args)).rows,
  };
}
