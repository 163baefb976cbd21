/**
 * Write transactions on each engine: after-commit hooks, rollback, and on PostgreSQL which
 * transactions wait for the log flush and which do not.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../src/db/schema.js';
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
      const settingOf = async (executor: Kysely<Schema>) => {
        const query = sql<{ value: string }>`select current_setting('synchronous_commit') as value`;
        return (await query.execute(executor)).rows[0]?.value;
      };
      const setting = (write: WriteContext) => settingOf(write.trx);
      expect(await transact(testDatabase.database, setting)).toBe('on');
      expect(await transactWithoutFlushWait(testDatabase.database, setting)).toBe('off');
      // A statement that commits on its own through the same handle.
      expect(await settingOf(withoutFlushWait(testDatabase.database).db)).toBe('off');
      // The main pool's connections, each handed out again, never have the relaxed setting.
      const after = await Promise.all(
        Array.from({ length: 12 }, () => transact(testDatabase.database, setting)),
      );
      expect(new Set(after)).toEqual(new Set(['on']));
    });
  });
}
