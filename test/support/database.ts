/**
 * Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema that is dropped
 * afterwards. The same test code runs on both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type DialectName, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { POSTGRES_URL, postgresAvailable } from './services.js';

/** The engines this run can test against. */
export const DIALECTS: DialectName[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  database: Database;
  /** The DATABASE_URL another process would use to reach the same data. */
  url: string;
  /** Closes the handle and removes the data. */
  dispose(): Promise<void>;
}

/** Opens a new, migrated, empty database of the given engine. */
export async function createTestDatabase(
  dialect: DialectName,
  options: { poolSize?: number } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lyceum-test-'));
    const path = join(dir, 'lyceum.db');
    const database = openDatabase({ kind: 'sqlite', path });
    await migrateToLatest(database);
    return {
      database,
      url: `sqlite:${path}`,
      dispose: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();

  const database = openDatabase(
    { kind: 'postgres', url: POSTGRES_URL },
    { searchPath: schema, poolSize: options.poolSize ?? 10 },
  );
  await migrateToLatest(database);
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    database,
    url,
    dispose: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`drop schema if exists ${schema} cascade`);
      await cleanup.end();
    },
  };
}
