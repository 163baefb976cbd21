/**
 * Regenerates packages/sdk/src/generated/ from Lyceum's event catalog and OpenAPI document:
 * `npm run generate -w @lyceum/sdk` (builds the app in-process), or with `--url
 * http://localhost:8080` to read the document of a running Lyceum. A test fails while the
 * committed files differ from what this writes.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_DATA_SCHEMAS, EVENT_DESCRIPTIONS } from '../../../src/events/catalog.js';
import type { JsonSchema } from './json-schema-to-ts.js';
import { buildOpenApiDocument, fetchOpenApiDocument } from './openapi-document.js';
import { renderEvents } from './render-events.js';
import { type OpenApiDocument, renderApi } from './render-operations.js';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPOSITORY = join(PACKAGE, '..', '..');
/** Where the generated files live. */
export const GENERATED_DIR = join(PACKAGE, 'src', 'generated');

/** The generated files, by path, as they must be committed. */
export function generateFiles(document: OpenApiDocument): Record<string, string> {
  const catalog = {
    schemas: EVENT_DATA_SCHEMAS as unknown as Record<string, JsonSchema>,
    descriptions: EVENT_DESCRIPTIONS,
  };
  const api = renderApi(document);
  const files = {
    [join(GENERATED_DIR, 'events.ts')]: renderEvents(catalog),
    [join(GENERATED_DIR, 'api-types.ts')]: api.types,
    [join(GENERATED_DIR, 'operations.ts')]: api.operations,
  };
  return Object.fromEntries(
    Object.entries(files).map(([path, source]) => [path, formatTypeScript(path, source)]),
  );
}

/** Formats `source` with the repository's Biome settings, as `biome format` would. */
function formatTypeScript(path: string, source: string): string {
  const result = spawnSync(
    join(REPOSITORY, 'node_modules', '.bin', 'biome'),
    ['format', `--stdin-file-path=${relative(REPOSITORY, path)}`],
    { cwd: REPOSITORY, input: source, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`biome could not format ${path}: ${result.stderr}`);
  }
  return result.stdout;
}

async function main(): Promise<void> {
  const urlIndex = process.argv.indexOf('--url');
  const url = urlIndex > 0 ? process.argv[urlIndex + 1] : undefined;
  const document = url ? await fetchOpenApiDocument(url) : await buildOpenApiDocument();
  for (const [path, source] of Object.entries(generateFiles(document))) {
    writeFileSync(path, source);
    process.stdout.write(`wrote ${relative(REPOSITORY, path)}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
