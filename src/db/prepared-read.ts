/**
 * Reads that the API repeats on every request, such as a record by its id, built and compiled by
 * Kysely once per database instead of once per call: building and compiling a query costs more
 * than SQLite takes to answer it.
 *
 * On SQLite the read runs at once on the connection Kysely uses, skipping Kysely's executor (its
 * connection lock and the promises around it), with a statement of its own that answers rows as
 * arrays: making the row object from them with a function written for the columns costs less
 * than better-sqlite3 naming every column of every row. When a transaction holds the
 * connection, the read waits for its turn through Kysely like any other query instead, so it
 * never sees writes that are not committed. On PostgreSQL it always goes through Kysely, with
 * the compiled text.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { keepPrepared } from './postgres/named-statements.js';
import { bindArguments, placeholder } from './prepared-query.js';
import type { Schema } from './schema.js';

/** Builds the query; `param(i)` stands for the i-th argument of each call. */
export type ReadBuilder<Row> = (
  db: Kysely<Schema>,
  param: <T>(index: number) => T,
) => Compilable<Row>;

/** A read compiled once per database; see the module comment. */
export interface PreparedRead<Args extends unknown[], Row> {
  /**
   * The first row for `args`, or undefined: at once on SQLite when no transaction holds the
   * connection, a promise otherwise.
   */
  first(database: Database, ...args: Args): Row | undefined | Promise<Row | undefined>;
}

interface Compiled {
  sql: string;
  /** The compiled parameters, with each argument's place marked by its Placeholder. */
  parameters: readonly unknown[];
  /** On SQLite: the statement and the function that makes a row object of its values. */
  sqlite?: { statement: BetterSqlite3.Statement<unknown[], unknown[]>; toRow: RowMaker };
}

type RowMaker = ((values: unknown[]) => unknown) & { columnCount: number };

/**
 * A function that makes one row object of a statement's column values: an object literal with
 * the columns in order, so that every row has the same shape. `JSON.stringify` quotes each
 * column name as a property name.
 */
function rowMaker(statement: BetterSqlite3.Statement): RowMaker {
  const columns = statement.columns().map((column) => column.name);
  const fields = columns.map((column, index) => `${JSON.stringify(column)}: values[${index}]`);
  const make = new Function('values', `return { ${fields.join(', ')} };`);
  return Object.assign(make as (values: unknown[]) => unknown, { columnCount: columns.length });
}

/** Prepares a read; `build` runs once for each database the read is used with. */
export function prepareRead<Args extends unknown[], Row>(
  build: ReadBuilder<Row>,
): PreparedRead<Args, Row> {
  const compiledFor = new WeakMap<Database, Compiled>();

  const compile = (database: Database): Compiled => {
    const { sql, parameters } = build(database.db, placeholder).compile();
    const compiled: Compiled = { sql, parameters };
    if (database.sqlite) {
      const statement = database.sqlite.prepareRaw(sql);
      compiled.sqlite = { statement, toRow: rowMaker(statement) };
    } else {
      keepPrepared(sql);
    }
    compiledFor.set(database, compiled);
    return compiled;
  };

  return {
    first(database, ...args) {
      const compiled = compiledFor.get(database) ?? compile(database);
      const parameters = bindArguments(compiled.parameters, args);

      if (compiled.sqlite && !database.sqlite?.inTransaction) {
        const { statement } = compiled.sqlite;
        const values = statement.get(parameters);
        if (values === undefined) return undefined;
        // SQLite prepares the statement again by itself after a schema change, which can
        // change the columns of `select *`; the row maker follows.
        if (values.length !== compiled.sqlite.toRow.columnCount) {
          compiled.sqlite.toRow = rowMaker(statement);
        }
        return compiled.sqlite.toRow(values) as Row;
      }
      return database.db
        .executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters))
        .then((result) => result.rows[0]);
    },
  };
}
