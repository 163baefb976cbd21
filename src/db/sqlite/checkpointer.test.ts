import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../database.js';

const PAGE = 4096;
const ROWS = 300;

describe('background WAL checkpoints (SQLite)', () => {
  let dir: string | undefined;
  let database: Database | undefined;

  afterEach(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    database = undefined;
  });

  async function writeRows(backgroundCheckpoints: boolean): Promise<string> {
    dir = mkdtempSync(join(tmpdir(), 'lyceum-checkpoint-'));
    const path = join(dir, 'lyceum.db');
    database = openDatabase({ kind: 'sqlite', path }, { backgroundCheckpoints });
    await sql`create table blobs (id integer primary key, body text not null)`.execute(database.db);
    // One page each, in transactions of their own: ROWS pages in the log, well under the 1,000
    // pages after which SQLite checkpoints by itself.
    for (let i = 0; i < ROWS; i++) {
      await sql`insert into blobs (body) values (${'x'.repeat(PAGE - 100)})`.execute(database.db);
    }
    return path;
  }

  async function mainFileBytesAfter(path: string, ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && statSync(path).size < ROWS * PAGE) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return statSync(path).size;
  }

  it('copies committed pages into the database file without a commit doing it', async () => {
    const path = await writeRows(true);
    expect(await mainFileBytesAfter(path, 5000)).toBeGreaterThanOrEqual(ROWS * PAGE);
    // Still readable and writable from the main connection while the worker runs.
    const count = await sql<{ n: number }>`select count(*) as n from blobs`.execute(database!.db);
    expect(Number(count.rows[0]?.n)).toBe(ROWS);
  });

  it('leaves the pages in the log when it is off', async () => {
    const path = await writeRows(false);
    expect(await mainFileBytesAfter(path, 300)).toBeLessThan(ROWS * PAGE);
  });

  it('ends its thread on close, after which the log is folded in and removed', async () => {
    const path = await writeRows(true);
    await database!.close();
    database = undefined;
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(statSync(path).size).toBeGreaterThanOrEqual(ROWS * PAGE);
  });
});
