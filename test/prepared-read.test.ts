import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRead } from '../src/db/prepared-read.js';
import type { UserTable } from '../src/db/schema.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/database.js';

const userById = prepareRead<[id: string], UserTable>((db, param) =>
  db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', param<string>(0))
    .where('deleted_at', 'is', null),
);

function userRow(id: string, email: string): UserTable {
  return {
    id,
    email,
    first_name: 'Ada',
    last_name: 'Lovelace',
    external_customer_id: null,
    role: 'learner',
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_000_000,
    deleted_at: null,
  };
}

for (const dialect of DIALECTS) {
  describe(`prepared reads [${dialect}]`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await createTestDatabase(dialect);
      const { db } = test.database;
      await db
        .insertInto('users')
        .values([userRow('usr_a', 'a@example.com'), userRow('usr_b', 'b@example.com')])
        .execute();
    });
    afterAll(async () => {
      await test?.dispose();
    });

    it('answers the row Kysely answers, and undefined when there is none', async () => {
      const { db } = test.database;
      const expected = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', 'usr_a')
        .executeTakeFirst();
      expect(await userById.first(test.database, 'usr_a')).toEqual(expected);
      expect(await userById.first(test.database, 'usr_missing')).toBeUndefined();
    });

    it('sees a committed change at once', async () => {
      const { db } = test.database;
      await db
        .updateTable('users')
        .set({ first_name: 'Grace' })
        .where('id', '=', 'usr_b')
        .execute();
      expect((await userById.first(test.database, 'usr_b'))?.first_name).toBe('Grace');
      await db.updateTable('users').set({ deleted_at: 1 }).where('id', '=', 'usr_b').execute();
      expect(await userById.first(test.database, 'usr_b')).toBeUndefined();
    });

    it('never sees a change that is not committed', async () => {
      const { db } = test.database;
      let read: ReturnType<typeof userById.first> | undefined;
      const rolledBack = db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ first_name: 'Uncommitted' })
          .where('id', '=', 'usr_a')
          .execute();
        read = userById.first(test.database, 'usr_a');
        // On SQLite the transaction holds the one connection: the read waits for its turn.
        if (dialect === 'sqlite') expect(read).toBeInstanceOf(Promise);
        throw new Error('roll back');
      });
      await expect(rolledBack).rejects.toThrow('roll back');
      expect((await read)?.first_name).toBe('Ada');
    });

    it('follows a column added after the read was first used', async () => {
      await sql`alter table users add column nickname text`.execute(test.database.db);
      const row = (await userById.first(test.database, 'usr_a')) as UserTable & {
        nickname: string | null;
      };
      expect(row.first_name).toBe('Ada');
      expect(row.nickname).toBeNull();
    });
  });
}
