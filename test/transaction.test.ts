/**
 * Write transactions on each engine: after-commit hooks, rollback, and on PostgreSQL which
 * transactions wait for the log flush and which do not.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  transact,
  transactWithoutFlushWait,
  type WriteContext,
  withoutFlushWait,
} from '../src/db/transaction.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/database.js';

for (const dialect of DIALECTS) {
  describe(`write transactions [${dialect}]`, () => {
    let testDatabase: TestDatabase;

    beforeAll(async () => {
      testDatabase = await createTestDatabase(dialect);
    });

    afterAll(async () => {
      await testDatabase.dispose();
    });

    const eventIds = async () =>
      (
        await testDatabase.database.db.selectFrom('events').select('id').orderBy('id').execute()
      ).map((row) => row.id);

    const insertEvent = (id: string) => ({
      id,
      type: 'user.created',
      data: '{}',
      created_at: 1,
    });

    for (const [name, run] of [
      ['transact', transact],
      ['transactWithoutFlushWait', transactWithoutFlushWait],
    ] as const) {
      it(`${name} commits the work and then runs its hooks`, async () => {
        const id = `evt_${name}_commit`;
        let hookRan = false;
        await run(testDatabase.database, async (write) => {
          await write.trx.insertInto('events').values(insertEvent(id)).execute();
          write.afterCommit(() => {
            hookRan = true;
          });
          expect(hookRan).toBe(false);
        });
        expect(hookRan).toBe(true);
        expect(await eventIds()).toContain(id);
      });

      it(`${name} rolls the work back when it throws, without running its hooks`, async () => {
        const id = `evt_${name}_rollback`;
        let hookRan = false;
        await expect(
          run(testDatabase.database, async (write) => {
            await write.trx.insertInto('events').values(insertEvent(id)).execute();
            write.afterCommit(() => {
              hookRan = true;
            });
            throw new Error('changed its mind');
          }),
        ).rejects.toThrow('changed its mind');
        expect(hookRan).toBe(false);
        expect(await eventIds()).not.toContain(id);
      });
    }

    if (dialect !== 'postgres') return;
    it('only the handle for writes without the flush wait has synchronous_commit off', async () => {
      const setting = async (write: WriteContext) => {
        const { rows } = await sql<{
          value: string;
        }>`select current_setting('synchronous_commit') as value`.execute(write.trx);
        return rows[0]?.value;
      };
      const durable = await transact(testDatabase.database, setting);
      const relaxed = await transactWithoutFlushWait(testDatabase.database, setting);
      expect(durable).toBe('on');
      expect(relaxed).toBe('off');
      // A statement that commits on its own through the same handle.
      const alone = await sql<{
        value: string;
      }>`select current_setting('synchronous_commit') as value`.execute(
        withoutFlushWait(testDatabase.database).db,
      );
      expect(alone.rows[0]?.value).toBe('off');
      // The pool hands the same connections out again: none keeps the relaxed setting.
      const after = await Promise.all(
        Array.from({ length: 12 }, () => transact(testDatabase.database, setting)),
      );
      expect(new Set(after)).toEqual(new Set(['on']));
    });
  });
}
