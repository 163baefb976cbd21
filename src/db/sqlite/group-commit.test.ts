import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../database.js';
import { transact } from '../transaction.js';

describe('group commit (SQLite)', () => {
  let dir: string;
  let path: string;
  let database: Database;
  /** A second connection to the same file: it sees only what is committed. */
  let observer: BetterSqlite3.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lyceum-group-commit-'));
    path = join(dir, 'lyceum.db');
    database = openDatabase({ kind: 'sqlite', path });
    await sql`create table notes (id integer primary key, body text not null unique)`.execute(
      database.db,
    );
    // Checked only at commit: a way to make a commit fail after every statement succeeded.
    await sql`create table parents (id integer primary key)`.execute(database.db);
    await sql`create table children (
      id integer primary key,
      parent_id integer not null references parents (id) deferrable initially deferred
    )`.execute(database.db);
    observer = new BetterSqlite3(path, { readonly: true });
  });

  afterEach(async () => {
    observer.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const committedBodies = () =>
    (observer.prepare('select body from notes order by id').all() as Array<{ body: string }>).map(
      (row) => row.body,
    );

  const addNote = (body: string, after?: () => void) =>
    transact(database, async (write) => {
      await sql`insert into notes (body) values (${body})`.execute(write.trx);
      after?.();
      return body;
    });

  it('commits transactions that waited together, answering none before the commit', async () => {
    const seenByOthers: string[][] = [];
    const answered: string[] = [];
    const writes = ['a', 'b', 'c', 'd'].map((body) =>
      addNote(body, () => seenByOthers.push(committedBodies())).then((value) => {
        answered.push(value);
        return value;
      }),
    );

    expect(await Promise.all(writes)).toEqual(['a', 'b', 'c', 'd']);
    // Each ran before any of them was committed: they shared one commit.
    expect(seenByOthers).toEqual([[], [], [], []]);
    expect(answered).toEqual(['a', 'b', 'c', 'd']);
    expect(committedBodies()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rolls back a failing transaction alone and keeps the rest of its group', async () => {
    const results = await Promise.allSettled([
      addNote('first'),
      addNote('dup'),
      addNote('dup'),
      addNote('last'),
    ]);

    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const failure = results[2] as PromiseRejectedResult;
    expect(String(failure.reason)).toMatch(/UNIQUE constraint failed/);
    expect(committedBodies()).toEqual(['first', 'dup', 'last']);
  });

  it('undoes all of a failing transaction, also its statements that had succeeded', async () => {
    const failing = transact(database, async (write) => {
      await sql`insert into notes (body) values ('kept only if it all succeeds')`.execute(
        write.trx,
      );
      await sql`insert into notes (body) values ('x')`.execute(write.trx);
      throw new Error('the work changed its mind');
    });
    const results = await Promise.allSettled([addNote('before'), failing, addNote('after')]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedBodies()).toEqual(['before', 'after']);
  });

  it('lets the others commit when the first transaction of a group fails', async () => {
    const results = await Promise.allSettled([
      transact(database, async () => {
        throw new Error('first fails');
      }),
      addNote('second'),
      addNote('third'),
    ]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(committedBodies()).toEqual(['second', 'third']);
  });

  it('fails every transaction of a group whose commit fails, and keeps none of them', async () => {
    const orphan = transact(database, async (write) => {
      await sql`insert into children (id, parent_id) values (1, 42)`.execute(write.trx);
    });
    const results = await Promise.allSettled([addNote('grouped'), orphan, addNote('also')]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const result of results) {
      expect(String((result as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    }
    expect(committedBodies()).toEqual([]);

    // The next transaction starts a group of its own.
    await addNote('later');
    expect(committedBodies()).toEqual(['later']);
  });

  it('runs after-commit hooks only for transactions that committed', async () => {
    const hooks: string[] = [];
    const withHook = (body: string) =>
      transact(database, async (write) => {
        write.afterCommit(() => hooks.push(body));
        await sql`insert into notes (body) values (${body})`.execute(write.trx);
      });

    await Promise.allSettled([withHook('one'), withHook('one'), withHook('two')]);

    expect(hooks).toEqual(['one', 'two']);
  });
});
