/**
 * Lyceum's OpenAPI document, as the app serves it at /v2/openapi.json: built in-process on a
 * throwaway SQLite database, or read from a running Lyceum.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../src/api/app.js';
import { loadConfig } from '../../../src/config.js';
import { createContext } from '../../../src/context.js';
import { openDatabase } from '../../../src/db/database.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { createLogger } from '../../../src/shared/logger.js';
import type { OpenApiDocument } from './render-operations.js';

/** Builds the app without listening and returns its document. */
export async function buildOpenApiDocument(): Promise<OpenApiDocument> {
  const dir = mkdtempSync(join(tmpdir(), 'lyceum-openapi-'));
  const database = openDatabase({ kind: 'sqlite', path: join(dir, 'lyceum.db') });
  try {
    await migrateToLatest(database);
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const context = createContext({ config, database, logger: createLogger('silent') });
    const app = await buildApp(context);
    await app.ready();
    const document = app.swagger() as unknown as OpenApiDocument;
    await app.close();
    return JSON.parse(JSON.stringify(document)) as OpenApiDocument;
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the document of a running Lyceum. */
export async function fetchOpenApiDocument(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(new URL('/v2/openapi.json', baseUrl));
  if (!response.ok) throw new Error(`GET /v2/openapi.json answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}
