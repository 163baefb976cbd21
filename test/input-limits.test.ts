/**
 * The limits every request meets before any route code runs: body size, JSON syntax, content
 * type, path ids and cursors; and a static check that the OpenAPI document bounds every input
 * a client controls, so that no field can carry a megabyte or a million items past validation.
 *
 * Routes come from `GET /v2/openapi.json` at run time, so a route added later is checked too.
 */
import type { InjectOptions } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { databaseFingerprint } from './fuzz/database-fingerprint.js';
import {
  fetchOpenApiDocument,
  fillPath,
  idPrefixOf,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  parametersIn,
  resolveRef,
} from './fuzz/openapi-operations.js';
import { seedObjects } from './fuzz/seed-objects.js';
import { describeEachDatabase, type Harness } from './support/harness.js';

const MIB = 1024 * 1024;

// ---- the static check ----

/**
 * Whether a regular expression only matches strings of bounded length: anchored at both ends
 * and without `*`, `+` or `{n,}` outside a character class. `^[a-z]{2,8}$` is bounded,
 * `^[a-z]+$` is not.
 */
function isBoundedPattern(pattern: string): boolean {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (
      char === '*' ||
      char === '+' ||
      (char === '{' && /^\{\d+,\}/.test(pattern.slice(i)))
    ) {
      return false;
    }
  }
  return true;
}

/** Why `schema` lets through an unbounded input, one line per place; empty when it is bounded. */
function unbounded(
  document: OpenApiDocument,
  given: JsonSchema,
  at: string,
  inBody: boolean,
): string[] {
  const schema = resolveRef(document, given);
  if (schema.const !== undefined || schema.enum !== undefined) return [];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap((branch) => unbounded(document, branch, at, inBody));
  if (schema.allOf) {
    const each = schema.allOf.map((part) => unbounded(document, part, at, inBody));
    return each.some((reasons) => reasons.length === 0) ? [] : each.flat();
  }

  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.flatMap((type) => unboundedOfType(document, schema, type, at, inBody));
}

function unboundedOfType(
  document: OpenApiDocument,
  schema: JsonSchema,
  type: string | undefined,
  at: string,
  inBody: boolean,
): string[] {
  switch (type) {
    case 'boolean':
    case 'null':
      return [];
    case 'string':
      // date-time is accepted as bounded by its shape, as the brief of this suite allows; its
      // fraction of a second may have any number of digits, limited only by the body or URL.
      if (schema.maxLength !== undefined || schema.format === 'date-time') return [];
      if (schema.pattern !== undefined && isBoundedPattern(schema.pattern)) return [];
      return [`${at}: a string without maxLength (or an enum, const or bounded pattern)`];
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? schema.exclusiveMinimum;
      const high = schema.maximum ?? schema.exclusiveMaximum;
      return low !== undefined && high !== undefined
        ? []
        : [`${at}: ${type} without minimum and maximum`];
    }
    case 'array': {
      const own = schema.maxItems === undefined ? [`${at}: an array without maxItems`] : [];
      const items = schema.items
        ? unbounded(document, schema.items, `${at}/items`, inBody)
        : [`${at}: an array without items`];
      return [...own, ...items];
    }
    case 'object': {
      const own =
        inBody && schema.additionalProperties !== false
          ? [`${at}: an object without additionalProperties: false`]
          : [];
      const properties = Object.entries(schema.properties ?? {}).flatMap(([name, property]) =>
        unbounded(document, property, `${at}/${name}`, inBody),
      );
      return [...own, ...properties];
    }
    default:
      return [`${at}: a schema without a type, enum or const accepts any JSON`];
  }
}

/** Every unbounded input of every operation, as `METHOD path where: why` lines. */
function unboundedInputs(document: OpenApiDocument): string[] {
  return operationsOf(document).flatMap((operation) => {
    const parameters = operation.parameters
      .filter((parameter) => parameter.in === 'query' || parameter.in === 'path')
      .flatMap((parameter) =>
        unbounded(document, parameter.schema, `${parameter.in} ${parameter.name}`, false),
      );
    const body = operation.body ? unbounded(document, operation.body, 'body', true) : [];
    return [...parameters, ...body].map((reason) => `${operation.id} ${reason}`);
  });
}

// ---- requests ----

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body);
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  return body;
}

describeEachDatabase('input limits', (h: Harness) => {
  let document: OpenApiDocument;
  let operations: Operation[] = [];
  let seeds: Record<string, string> = {};

  beforeAll(async () => {
    document = await fetchOpenApiDocument(h.app);
    operations = operationsOf(document);
    seeds = await seedObjects(h, 0);
  });

  /** The operation's path with the seeded object of the right kind in every parameter. */
  function seededPath(operation: Operation): string {
    const values: Record<string, string> = {};
    for (const parameter of parametersIn(operation, 'path')) {
      const id = seeds[`seed.${idPrefixOf(parameter.schema)}`];
      if (id === undefined)
        throw new Error(`no seed object for ${operation.id} {${parameter.name}}`);
      values[parameter.name] = id;
    }
    return fillPath(operation.path, values);
  }

  const send = (
    method: InjectOptions['method'],
    url: string,
    headers: Record<string, string>,
    payload?: string,
  ) =>
    h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${h.keys.admin}`, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });

  it('bounds every body, query and path input in the OpenAPI document', () => {
    const reasons = unboundedInputs(document);
    expect(reasons, `\n${reasons.join('\n')}`).toEqual([]);
  });

  it('flags what it should in a document made to fail', () => {
    const loose: OpenApiDocument = {
      paths: {
        '/x/{id}': {
          post: {
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'n', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
            ],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      tags: { type: 'array', items: { type: 'string', maxLength: 5 } },
                      slug: { type: 'string', pattern: '^[a-z]+$' },
                      nested: { type: 'object', properties: {} },
                      any: {},
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
    expect(unboundedInputs(loose)).toEqual([
      'POST /x/{id} path id: a string without maxLength (or an enum, const or bounded pattern)',
      'POST /x/{id} query n: integer without minimum and maximum',
      'POST /x/{id} body: an object without additionalProperties: false',
      'POST /x/{id} body/tags: an array without maxItems',
      'POST /x/{id} body/slug: a string without maxLength (or an enum, const or bounded pattern)',
      'POST /x/{id} body/nested: an object without additionalProperties: false',
      'POST /x/{id} body/any: a schema without a type, enum or const accepts any JSON',
    ]);
  });

  it('tells bounded patterns from unbounded ones', () => {
    expect(isBoundedPattern('^usr_[0-9A-HJKMNP-TV-Z]{26}$')).toBe(true);
    expect(isBoundedPattern('^[a-z0-9][a-z0-9_.-]{0,63}$')).toBe(true);
    expect(isBoundedPattern('^[a-z0-9-]+$')).toBe(false);
    expect(isBoundedPattern('^a{2,}$')).toBe(false);
    expect(isBoundedPattern('^[*+]{1,3}$')).toBe(true);
    expect(isBoundedPattern('[a-z]{1,3}')).toBe(false);
  });

  it('refuses a JSON body over 1 MiB with 413 and writes nothing', async () => {
    const before = await databaseFingerprint(h.testDatabase.database);
    const body = JSON.stringify({
      email: 'big@example.com',
      firstName: 'x'.repeat(MIB),
      lastName: 'y',
    });
    const response = await send('POST', '/v2/users', { 'content-type': 'application/json' }, body);
    expect(expectProblem(response, 413).type).toBe('urn:lyceum:problem:body-too-large');
    expect(await databaseFingerprint(h.testDatabase.database)).toEqual(before);
  });

  it('accepts a body just under 1 MiB as far as size goes', async () => {
    const body = JSON.stringify({
      email: 'big@example.com',
      firstName: 'x'.repeat(MIB - 100),
      lastName: 'y',
    });
    const response = await send('POST', '/v2/users', { 'content-type': 'application/json' }, body);
    // Under the size limit the schema speaks: the name is longer than 200 characters.
    expect(expectProblem(response, 400).errors[0]).toMatchObject({
      location: 'body',
      pointer: '/firstName',
    });
  });

  it.each([
    '{"email":',
    '{"email": "a@b.co",}',
    "{'email': 'a@b.co'}",
    '{"email": "a@b.co"} trailing',
    'NaN',
  ])('refuses malformed JSON %j with 400', async (payload) => {
    const response = await send(
      'POST',
      '/v2/users',
      { 'content-type': 'application/json' },
      payload,
    );
    expect(expectProblem(response, 400).detail).toMatch(/JSON/);
  });

  it.each([
    ['text/plain', 'email=a@b.co'],
    ['application/x-www-form-urlencoded', 'email=a%40b.co&firstName=A&lastName=B'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--x--\r\n',
    ],
  ])('refuses a %s body with 415', async (contentType, payload) => {
    const before = await databaseFingerprint(h.testDatabase.database);
    const response = await send('POST', '/v2/users', { 'content-type': contentType }, payload);
    expect(expectProblem(response, 415).type).toBe('urn:lyceum:problem:unsupported-media-type');
    expect(await databaseFingerprint(h.testDatabase.database)).toEqual(before);
  });

  it('names an invalid path id in a 400 problem, on every route that takes one', async () => {
    const withIds = operations.filter((operation) => parametersIn(operation, 'path').length > 0);
    expect(withIds.length).toBeGreaterThan(0);
    for (const operation of withIds) {
      const url = fillPath(
        operation.path,
        Object.fromEntries(parametersIn(operation, 'path').map((p) => [p.name, 'nope'])),
      );
      const hasBody = operation.body !== undefined;
      const response = await send(
        operation.method,
        url,
        hasBody ? { 'content-type': 'application/json' } : {},
        hasBody ? '{}' : undefined,
      );
      const body = expectProblem(response, 400);
      const name = parametersIn(operation, 'path')[0]!.name;
      expect(body.errors, operation.id).toContainEqual(
        expect.objectContaining({ location: 'path', pointer: `/${name}` }),
      );
      expect(body.detail, operation.id).toContain(`/${name}`);
    }
  });

  it('refuses a forged or truncated cursor with 400 on every list', async () => {
    const lists = operations.filter((operation) =>
      parametersIn(operation, 'query').some((parameter) => parameter.name === 'cursor'),
    );
    expect(lists.length).toBeGreaterThan(0);
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const issued = b64('{"q":1,"s":null,"t":1,"u":1,"i":"usr_00000000000000000000000000"}');
    // None of these could have come from any list of this API: not base64url JSON, JSON of
    // the wrong shape, wrong types for every cursor format, or a real-looking one cut short.
    const cursors = [
      'garbage!!',
      '',
      b64('null'),
      b64('[]'),
      b64('{}'),
      b64('{"q":"1","s":"x","t":"1","u":"1","i":1}'),
      issued.slice(0, -4),
    ];
    for (const operation of lists) {
      for (const cursor of cursors) {
        const url = `${seededPath(operation)}?cursor=${encodeURIComponent(cursor)}`;
        const response = await send('GET', url, {});
        expect(
          response.statusCode,
          `${operation.id} cursor ${JSON.stringify(cursor)}: ${response.body}`,
        ).toBe(400);
        expectProblem(response, 400);
      }
    }
  });

  it('refuses a page size outside 1..100 with 400 on every list', async () => {
    const lists = operations.filter((operation) =>
      parametersIn(operation, 'query').some((parameter) => parameter.name === 'limit'),
    );
    for (const operation of lists) {
      for (const limit of ['0', '101', '-1', 'abc', '1.5']) {
        const response = await send('GET', `${seededPath(operation)}?limit=${limit}`, {});
        const body = expectProblem(response, 400);
        expect(body.errors, `${operation.id} limit=${limit}`).toContainEqual(
          expect.objectContaining({ location: 'query', pointer: '/limit' }),
        );
      }
    }
  });
});
