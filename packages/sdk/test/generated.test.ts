/**
 * The generated files must be what the generator writes now from Lyceum's event catalog and
 * OpenAPI document: a route, schema or event type that changed without `npm run generate -w
 * @lyceum/sdk` fails here. And the client must have a method for every operation.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/events/catalog.js';
import { generateFiles } from '../scripts/generate.js';
import { buildOpenApiDocument } from '../scripts/openapi-document.js';
import { EXCLUDED_PATH_PREFIXES } from '../scripts/operation-names.js';
import { type OpenApiDocument, renderApi } from '../scripts/render-operations.js';
import { LYCEUM_EVENT_TYPES, LyceumClient, OPERATIONS } from '../src/index.js';

describe('generated SDK files', () => {
  let document: OpenApiDocument;
  beforeAll(async () => {
    document = await buildOpenApiDocument();
  });

  it('match the OpenAPI document and the event catalog', () => {
    const stale = Object.entries(generateFiles(document))
      .filter(([path, source]) => readFileSync(path, 'utf8') !== source)
      .map(([path]) => relative(process.cwd(), path));
    expect(stale, 'stale: run `npm run generate -w @lyceum/sdk` and commit the result').toEqual([]);
  });

  it('cover every event type of the catalog', () => {
    expect([...LYCEUM_EVENT_TYPES]).toEqual(EVENT_TYPES);
  });

  it('give the client a method for every operation of the document', () => {
    const client = new LyceumClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'lyk_x' });
    const included = Object.entries(document.paths).filter(
      ([path]) => !EXCLUDED_PATH_PREFIXES.some((prefix) => path.startsWith(prefix)),
    );
    const routes = included.flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = OPERATIONS.map((operation) => `${operation.method} ${operation.path}`);
    expect(routes.sort()).toEqual([...covered].sort());

    for (const { name } of OPERATIONS) {
      const method = name
        .split('.')
        .reduce<unknown>((owner, part) => (owner as Record<string, unknown>)[part], client);
      expect(typeof method, name).toBe('function');
    }
  });

  it('refuse a document with an operation the client has no name for', () => {
    const grown: OpenApiDocument = {
      ...document,
      paths: { ...document.paths, '/v2/badges': { get: { summary: 'List badges' } } },
    };
    expect(() => renderApi(grown)).toThrow(/no client name for GET \/v2\/badges/);
  });
});
