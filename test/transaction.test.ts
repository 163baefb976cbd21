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
    it('only the handle for writes without the flush wait has the dispatcher settings', async () => {
      const settingsOf = async (executor: Kysely<Schema>) => {
        const query = sql<{ value: string }>`
          select concat_ws(' ', current_setting('synchronous_commit'),
            current_setting('plan_cache_mode'), current_setting('jit'),
            current_setting('max_parallel_workers_per_gather')) as value`;
        return (await query.execute(executor)).rows[0]?.value;
      };
      const settings = (write: WriteContext) => settingsOf(write.trx);
      const dispatcher = 'off force_generic_plan off 0';
      const defaults = await settingsOf(testDatabase.database.db);
      expect(defaults).toMatch(/^on auto /);
      expect(await transact(testDatabase.database, settings)).toBe(defaults);
      expect(await transactWithoutFlushWait(testDatabase.database, settings)).toBe(dispatcher);
      // A statement that commits on its own through the same handle.
      expect(await settingsOf(withoutFlushWait(testDatabase.database).db)).toBe(dispatcher);
      // The main pool's connections, each handed out again, never have the dispatcher's.
      const after = await Promise.all(
        Array.from({ length: 12 }, () => transact(testDatabase.database, settings)),
      );
      expect(new Set(after)).toEqual(new Set([defaults]));
    });
  });
}
