/**
 * Several processes starting together on an empty database: all come up, and each migration
 * is applied by exactly one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/services.js';
import {
  type Cluster,
  type ClusterProcess,
  createCluster,
  STARTUP_TIMEOUT_MS,
} from './support/cluster.js';

const MIGRATIONS = [
  '0001-learning',
  '0002-webhooks',
  '0003-idempotency',
  '0004-dispatcher-indexes',
];

describe.skipIf(!postgresAvailable)('migrations with processes starting at once [postgres]', () => {
  let cluster: Cluster;
  let processes: ClusterProcess[];

  beforeAll(async () => {
    cluster = await createCluster({ migrate: false });
    processes = await Promise.all([
      cluster.start('api', 'api'),
      cluster.start('dispatcher-1', 'dispatcher'),
      cluster.start('all', 'all'),
    ]);
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('brings every process up, ready', async () => {
    for (const process of processes) {
      const ready = await fetch(`${process.url}/readyz`);
      expect(ready.status).toBe(200);
    }
  });

  it('applies each migration once', async () => {
    const rows = await cluster.context.database.db
      .selectFrom('kysely_migration' as never)
      .select(['name' as never])
      .execute();
    const names = (rows as Array<{ name: string }>).map((row) => row.name).sort();
    expect(names).toEqual(MIGRATIONS);

    // Each process logs the migrations it applied itself; together they applied each once.
    const applied = processes.flatMap((process) =>
      process
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"database migrated"'))
        .flatMap((line) => JSON.parse(line).migrations as string[]),
    );
    expect(applied.sort()).toEqual(MIGRATIONS);
  });
});
