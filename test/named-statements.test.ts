/**
 * On PostgreSQL, statements compiled by prepareQuery run as named statements: parsed once per
 * connection and planned from the server's plan cache afterwards. A kept statement whose result
 * columns change under it (a migration by another process) fails once and is prepared again.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { keepPrepared } from '../src/db/postgres/named-statements.js';
import { prepareQuery } from '../src/db/prepared-query.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { postgresAvailable } from './support/services.js';

describe.skipIf(!postgresAvailable)('named statements [postgres]', () => {
  let testDatabase: TestDatabase;
  /** One connection, so that every statement below meets the same session. */
  let single: Database;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('postgres', { poolSize: 1 });
    single = testDatabase.database;
  });

  afterAll(async () => {
    await testDatabase?.dispose();
  });

  /** The session's prepared statements with this text, and how often each was planned. */
  const preparedWith = async (text: string) =>
    (
      await sql<{ name: string; plans: number }>`
        select name, generic_plans + custom_plans as plans
        from pg_prepared_statements where statement = ${text}`.execute(single.db)
    ).rows;

  it('runs a statement from prepareQuery under one name, however often it is called', async () => {
    let text = '';
    const countEvents = prepareQuery((db, param) => {
      const query = db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('type', '=', param<string>(0));
      text = query.compile().sql;
      return query;
    });
    for (let call = 0; call < 7; call++) {
      const [row] = await countEvents.rows(single, 0, ['user.created']);
      expect(Number(row?.count)).toBe(0);
    }
    const prepared = await preparedWith(text);
    expect(prepared).toHaveLength(1);
    // Executions after the first reuse the parsed statement: seven runs, seven plans (custom
    // or generic), one statement.
    expect(prepared[0]?.plans).toBe(7);
  });

  it('leaves statements that are not kept unnamed', async () => {
    const text = 'select $1::int + 1 as answer';
    const result = await single.db.executeQuery(CompiledQuery.raw(text, [41]));
    expect(result.rows).toEqual([{ answer: 42 }]);
    expect(await preparedWith(text)).toEqual([]);
  });

  it('prepares a statement again at once after its result columns changed', async () => {
    await sql`create table widgets (id int)`.execute(single.db);
    await sql`insert into widgets values (1)`.execute(single.db);
    const text = 'select * from widgets where id = $1';
    keepPrepared(text);
    const run = () => single.db.executeQuery(CompiledQuery.raw(text, [1]));

    expect((await run()).rows).toEqual([{ id: 1 }]);
    await sql`alter table widgets add column size int default 3`.execute(single.db);
    expect((await run()).rows).toEqual([{ id: 1, size: 3 }]);
    expect((await run()).rows).toEqual([{ id: 1, size: 3 }]);
    expect(await preparedWith(text)).toHaveLength(2);
  });

  it('inside a transaction, fails that statement and prepares it again for the next', async () => {
    await sql`create table gadgets (id int)`.execute(single.db);
    await sql`insert into gadgets values (1)`.execute(single.db);
    const text = 'select * from gadgets where id = $1';
    keepPrepared(text);
    const run = (db: typeof single.db) => db.executeQuery(CompiledQuery.raw(text, [1]));

    expect((await run(single.db)).rows).toEqual([{ id: 1 }]);
    await sql`alter table gadgets add column size int default 3`.execute(single.db);
    // The failure aborts the transaction, so the statement cannot simply run again in it.
    await expect(single.db.transaction().execute((trx) => run(trx))).rejects.toMatchObject({
      code: '0A000',
    });
    const rows = await single.db.transaction().execute(async (trx) => (await run(trx)).rows);
    expect(rows).toEqual([{ id: 1, size: 3 }]);
  });
});
