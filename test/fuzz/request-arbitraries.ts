/**
 * fast-check arbitraries of whole requests for one operation of the OpenAPI document, one per
 * kind of hostility: bodies, query strings, headers and path parameters. Each keeps the other
 * parts of the request plausible (a real id in the path, an admin key, a nearly valid body), so
 * the hostile part reaches past the first check into the code behind it.
 */
import fc from 'fast-check';
import {
  badDate,
  deepNesting,
  freshId,
  GARBAGE_BODIES,
  hostileKey,
  hostileNode,
  hostileString,
  idLike,
  type JsonNode,
  keyToken,
  longString,
  printJson,
  seedToken,
} from './hostile-values.js';
import {
  fillPath,
  idPrefixOf,
  type Operation,
  type Parameter,
  parametersIn,
} from './openapi-operations.js';
import { percentEncode, type RequestPlan } from './request-plan.js';
import { exampleOf, type FuzzContext, firstExample, nearlyValid } from './schema-examples.js';

/** Hostile JSON text for any operation, nearly valid for one that declares a body. */
export function hostileBodyText(operation: Operation, context: FuzzContext): fc.Arbitrary<string> {
  const schema = operation.body ?? { type: 'object', properties: {} };
  const valid = exampleOf(schema, context).map(printJson);
  return fc.oneof(
    { weight: 5, arbitrary: nearlyValid(schema, context).map(printJson) },
    { weight: 3, arbitrary: hostileNode(Object.keys(schema.properties ?? {})).map(printJson) },
    { weight: 1, arbitrary: deepNesting.map(printJson) },
    { weight: 1, arbitrary: fc.constantFrom(...GARBAGE_BODIES) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.constantFrom('', 'x', '}', '\u0000', ',{}'))
        .map(([text, cut, tail]) => text.slice(0, cut % (text.length + 1)) + tail),
    },
  );
}

// ---- path, query and headers ----

const HOSTILE_SEGMENTS = [
  '..',
  '../',
  '../../v2/api-keys',
  '%2e%2e%2f',
  '.',
  '',
  ' ',
  '%00',
  '%',
  '%zz',
  '%C0%AF',
  '%2F',
  '\u0000',
  '😀',
  '\u202e',
  '*',
];

/** A path parameter value: mostly ids of every sort, sometimes not an id at all. */
function pathValue(parameter: Parameter): fc.Arbitrary<string> {
  const prefix = idPrefixOf(parameter.schema) ?? 'usr';
  const seed = seedToken(prefix);
  const value = fc.oneof(
    { weight: 6, arbitrary: idLike(prefix) },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `${seed}/../${seed}`,
        `${seed}%2F`,
        `${seed}?x=1`,
        `${seed}#f`,
        `${seed};a=1`,
        `${seed}/`,
      ),
    },
    { weight: 1, arbitrary: longString },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 50, max: 20_000 }).map((n) => `${prefix}_${'A'.repeat(n)}`),
    },
    { weight: 2, arbitrary: hostileString },
  );
  // Raw values change the shape of the URL itself (a slash, a question mark); encoded ones
  // reach the router as one segment.
  return fc
    .tuple(value, fc.boolean())
    .map(([text, encode]) => (encode ? percentEncode(text) : text));
}

/** A plausible path: the seeded object mostly, an unknown id of the right kind sometimes. */
function plausiblePath(operation: Operation): fc.Arbitrary<string> {
  const parameters = parametersIn(operation, 'path');
  const values = parameters.map((parameter) => {
    const prefix = idPrefixOf(parameter.schema) ?? 'usr';
    return fc.oneof({ weight: 4, arbitrary: fc.constant(seedToken(prefix)) }, freshId(prefix));
  });
  return fc.tuple(...values).map((picked) => {
    const filled: Record<string, string> = {};
    parameters.forEach((parameter, i) => {
      filled[parameter.name] = picked[i]!;
    });
    return fillPath(operation.path, filled);
  });
}

const LIMITS = [
  '0',
  '101',
  '-1',
  'abc',
  '1.5',
  '',
  '1e2',
  '99999999999999999999',
  '0x10',
  ' 5',
  '+5',
  'NaN',
  'Infinity',
  '-0',
  '1,2',
  '１',
  '100',
  '1',
];

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Cursors that are not base64, not JSON, or JSON of the wrong shape or range. */
const garbageCursor: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.constantFrom('garbage!!', '====', base64url('null'), base64url('[]'), base64url('{"q":-1}')),
  fc
    .dictionary(fc.constantFrom('s', 't', 'u', 'i', 'q'), hostileNode(), { maxKeys: 5 })
    .map((fields) => base64url(printJson({ kind: 'object', entries: Object.entries(fields) }))),
  fc
    .record({
      s: fc.constantFrom('null', '0', '-1', '1e21', '9007199254740991'),
      t: fc.constantFrom('0', '-1', '1e21', '9007199254740991', '1700000000000'),
      i: hostileString,
    })
    .map(({ s, t, i }) =>
      base64url(`{"s":${s},"t":${t},"u":${t},"i":${JSON.stringify(i)},"q":${t}}`),
    ),
);

/** A hostile value for one query parameter, chosen by its schema. */
function hostileQueryValue(parameter: Parameter): fc.Arbitrary<string> {
  const { schema, name } = parameter;
  if (name === 'cursor') return garbageCursor;
  if (schema.type === 'integer') return fc.oneof(fc.constantFrom(...LIMITS), hostileString);
  if (schema.format === 'date-time') return badDate;
  const prefix = idPrefixOf(schema);
  if (prefix !== undefined) return idLike(prefix);
  if (schema.enum || schema.anyOf)
    return fc.oneof(fc.constantFrom('nope', 'ACTIVE', ''), hostileString);
  return hostileString;
}

function queryText(node: JsonNode): string {
  return node.kind === 'string' ? node.value : printJson(node);
}

interface QueryPair {
  key: string;
  value: string;
  /** Written as is, not percent-encoded. */
  raw: boolean;
}

const printQuery = (pairs: QueryPair[]) =>
  pairs
    .map(({ key, value, raw: asIs }) =>
      asIs ? `${key}=${value}` : `${percentEncode(key)}=${percentEncode(value)}`,
    )
    .join('&');

/**
 * A query string: valid values for some known parameters and one or two hostile pairs (a known
 * parameter with a bad value, an unknown or bracketed key, a repeated key), or an odd shape.
 * One bad value at a time: with several, the first 400 would hide what the others reach.
 */
function hostileQuery(operation: Operation, context: FuzzContext): fc.Arbitrary<string> {
  const known = parametersIn(operation, 'query');
  const names = known.map((parameter) => parameter.name);
  // No valid cursor exists before a first page has been read, so a cursor only ever comes
  // hostile; a made-up "valid" one would be refused and hide what the rest of the query reaches.
  const validPairs = known
    .filter((parameter) => parameter.name !== 'cursor')
    .map((parameter) =>
      fc.option(
        exampleOf(parameter.schema, context, parameter.name).map(
          (node): QueryPair => ({ key: parameter.name, value: queryText(node), raw: false }),
        ),
        { nil: undefined, freq: 2 },
      ),
    );
  const extraPair = fc.record({
    key: fc.oneof(
      hostileKey(names),
      fc.constantFrom('limit[]', 'a[b]', 'cursor[0]', '__proto__[x]'),
    ),
    value: hostileString,
    raw: fc.boolean(),
  });
  const badKnownPairs = known.map((parameter) =>
    fc.record({
      key: fc.constant(parameter.name),
      value: hostileQueryValue(parameter),
      raw: fc.boolean(),
    }),
  );
  const hostilePair =
    badKnownPairs.length === 0
      ? extraPair
      : fc.oneof(
          { weight: 4, arbitrary: fc.oneof(...badKnownPairs) },
          { weight: 1, arbitrary: extraPair },
        );

  const pairs = fc
    .tuple(
      fc.tuple(...validPairs),
      fc.array(hostilePair, { minLength: 1, maxLength: 2 }),
      fc.boolean(),
    )
    .map(([valid, hostile, repeat]) => {
      const replaced = new Set(hostile.map((pair) => pair.key));
      const kept = valid.filter(
        (pair): pair is QueryPair => pair !== undefined && (repeat || !replaced.has(pair.key)),
      );
      return printQuery([...kept, ...hostile]);
    });
  return fc.oneof(
    { weight: 12, arbitrary: pairs },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '&&&',
        '=x',
        'limit',
        'limit=1;limit=2',
        '%',
        '%zz=1',
        '&limit=&',
      ),
    },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'application/json; charset="utf-8"; boundary=x',
  'application/json, text/plain',
  'application/jsonx',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/problem+json',
  'text/json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  '*/*',
  'application/',
  ';',
];

const AUTHORIZATIONS = [
  '',
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNz',
  `Bearer ${keyToken('admin')} ${keyToken('admin')}`,
  `bearer ${keyToken('admin')}`,
  `Bearer  ${keyToken('admin')}  `,
  `Bearer ${keyToken('admin')}x`,
  `Token ${keyToken('admin')}`,
  `Bearer ${'a'.repeat(10_000)}`,
  'Bearer lyk_0000000000000000000000000000000000000000',
  `Bearer ${keyToken('read')}`,
  `Bearer ${keyToken('write')}`,
];

const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${keyToken('admin')}`) },
  { weight: 3, arbitrary: fc.constantFrom(...AUTHORIZATIONS) },
  { weight: 1, arbitrary: hostileString.map((s) => `Bearer ${s}`) },
);

const idempotencyKey = fc.oneof(
  fc.constantFrom('fuzz-1', 'fuzz-2', 'fuzz-3'),
  fc.uuid(),
  fc.constantFrom('', ' ', 'x'.repeat(256), '😀', '\t', 'a b', 'a\u0000b', 'x'.repeat(255)),
  hostileString,
);

/** Headers besides the key and the content type: huge, many, or meant to confuse. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      huge: fc.integer({ min: 1_000, max: 100_000 }),
      many: fc.integer({ min: 10, max: 200 }),
      requestId: hostileString,
      accept: fc.constantFrom('application/xml', '*/*', '', 'text/html;q=0.9, */*;q=0.1'),
      override: fc.constantFrom('DELETE', 'GET', 'PUT'),
      encoding: fc.constantFrom('gzip', 'br', 'identity', 'x'),
    },
    { requiredKeys: [] },
  )
  .map((picked) => {
    const headers: Record<string, string> = {};
    if (picked.huge !== undefined) headers['x-fuzz-padding'] = 'a'.repeat(picked.huge);
    for (let i = 0; i < (picked.many ?? 0); i++) headers[`x-fuzz-${i}`] = String(i);
    if (picked.requestId !== undefined) headers['x-request-id'] = picked.requestId;
    if (picked.accept !== undefined) headers.accept = picked.accept;
    if (picked.override !== undefined) headers['x-http-method-override'] = picked.override;
    if (picked.encoding !== undefined) headers['content-encoding'] = picked.encoding;
    return headers;
  });

const ADMIN = { authorization: `Bearer ${keyToken('admin')}` };
const JSON_TYPE = { 'content-type': 'application/json' };

function withQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}

/** Requests whose body is hostile; everything else is plausible. */
export function bodyRequest(operation: Operation, context: FuzzContext): fc.Arbitrary<RequestPlan> {
  return fc
    .tuple(plausiblePath(operation), hostileBodyText(operation, context), fc.option(idempotencyKey))
    .map(([url, text, key]) => ({
      method: operation.method,
      url,
      headers: { ...ADMIN, ...JSON_TYPE, ...(key === null ? {} : { 'idempotency-key': key }) },
      body: { text, encoding: 'utf8' as const },
    }));
}

/** Requests whose query string is hostile. */
export function queryRequest(
  operation: Operation,
  context: FuzzContext,
): fc.Arbitrary<RequestPlan> {
  const body = operation.body
    ? exampleOf(operation.body, context).map(printJson)
    : fc.constant(undefined);
  return fc
    .tuple(plausiblePath(operation), hostileQuery(operation, context), body)
    .map(([path, query, text]) => ({
      method: operation.method,
      url: withQuery(path, query),
      headers: { ...ADMIN, ...(text === undefined ? {} : JSON_TYPE) },
      ...(text === undefined ? {} : { body: { text, encoding: 'utf8' as const } }),
    }));
}

/** Requests whose headers are hostile: key, content type and charset, idempotency, size. */
export function headerRequest(
  operation: Operation,
  context: FuzzContext,
): fc.Arbitrary<RequestPlan> {
  const body = operation.body
    ? fc
        .oneof(exampleOf(operation.body, context), nearlyValid(operation.body, context))
        .map(printJson)
    : fc.option(fc.constantFrom('{}', '[]', '{"a":1}'), { nil: undefined });
  return fc
    .record({
      path: plausiblePath(operation),
      text: body,
      authorization,
      contentType: fc.option(
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, hostileString),
      ),
      encoding: fc.constantFrom(
        'utf8' as const,
        'utf8' as const,
        'utf16le' as const,
        'latin1' as const,
      ),
      key: fc.option(idempotencyKey),
      extra: extraHeaders,
    })
    .map(({ path, text, authorization: auth, contentType, encoding, key, extra }) => {
      const headers: Record<string, string> = { ...extra, authorization: auth };
      if (contentType !== null) headers['content-type'] = contentType;
      if (key !== null) headers['idempotency-key'] = key;
      return {
        method: operation.method,
        url: path,
        headers,
        ...(text === undefined ? {} : { body: { text, encoding } }),
      };
    });
}

/** Requests whose path parameters are hostile; the body, when any, is a valid example. */
export function pathRequest(operation: Operation, context: FuzzContext): fc.Arbitrary<RequestPlan> {
  const parameters = parametersIn(operation, 'path');
  const body = operation.body
    ? exampleOf(operation.body, context).map(printJson)
    : fc.constant(undefined);
  return fc.tuple(fc.tuple(...parameters.map(pathValue)), body).map(([values, text]) => {
    const filled: Record<string, string> = {};
    parameters.forEach((parameter, i) => {
      filled[parameter.name] = values[i]!;
    });
    return {
      method: operation.method,
      url: fillPath(operation.path, filled),
      headers: { ...ADMIN, ...(text === undefined ? {} : JSON_TYPE) },
      ...(text === undefined ? {} : { body: { text, encoding: 'utf8' as const } }),
    };
  });
}

// ---- edges: the requests most likely to hurt, tried on every run before the random ones ----

const NUL_TEXT = 'a\u0000b';
const LEAP_SECOND = '2016-12-31T23:59:60Z';
const DEEP_ARRAY = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

/** The operation's path with every parameter the seeded object of its kind. */
function seededPath(operation: Operation): string {
  const values = Object.fromEntries(
    parametersIn(operation, 'path').map((p) => [p.name, seedToken(idPrefixOf(p.schema) ?? 'usr')]),
  );
  return fillPath(operation.path, values);
}

function plan(operation: Operation, url: string, text?: string, headers = {}): RequestPlan {
  return {
    method: operation.method,
    url,
    headers: { ...ADMIN, ...(text === undefined ? {} : JSON_TYPE), ...headers },
    ...(text === undefined ? {} : { body: { text, encoding: 'utf8' as const } }),
  };
}

function exampleText(operation: Operation, context: FuzzContext): string | undefined {
  return operation.body ? printJson(firstExample(operation.body, context)) : undefined;
}

/** A NUL in each top-level string of the body, and a deep array sent with an Idempotency-Key. */
export function bodyEdges(operation: Operation, context: FuzzContext): RequestPlan[] {
  const url = seededPath(operation);
  const deep = plan(operation, url, DEEP_ARRAY, { 'idempotency-key': 'edge-deep' });
  const example = operation.body ? firstExample(operation.body, context) : undefined;
  if (example?.kind !== 'object') return [deep];
  const withNul = example.entries.flatMap(([, value], i) => {
    if (value.kind !== 'string') return [];
    const entries = example.entries.map(([k, v], j): [string, JsonNode] => [
      k,
      i === j ? { kind: 'string', value: NUL_TEXT } : v,
    ]);
    return plan(operation, url, printJson({ kind: 'object', entries }));
  });
  return [deep, ...withNul];
}

/** A leap second in each date, a NUL in each free-text filter, a cursor whose id holds a NUL. */
export function queryEdges(operation: Operation, context: FuzzContext): RequestPlan[] {
  const cursor = Buffer.from('{"s":null,"t":1,"u":1,"i":"a\\u0000","q":1}').toString('base64url');
  return parametersIn(operation, 'query').flatMap(({ name, schema }) => {
    let value: string | undefined;
    if (name === 'cursor') value = cursor;
    else if (schema.format === 'date-time') value = LEAP_SECOND;
    else if (schema.type === 'string' && !schema.pattern && !schema.format) value = NUL_TEXT;
    if (value === undefined) return [];
    const url = `${seededPath(operation)}?${name}=${percentEncode(value)}`;
    return [plan(operation, url, exampleText(operation, context))];
  });
}

/** A malformed escape, invalid UTF-8, an overlong value and a NUL in each path parameter. */
export function pathEdges(operation: Operation, context: FuzzContext): RequestPlan[] {
  const parameters = parametersIn(operation, 'path');
  return parameters.flatMap((parameter) => {
    const seed = seedToken(idPrefixOf(parameter.schema) ?? 'usr');
    return ['%zz', '%ED%A0%80', 'a'.repeat(101), `${seed}%00`].map((value) => {
      const values = Object.fromEntries(
        parameters.map((p) => [
          p.name,
          p === parameter ? value : seedToken(idPrefixOf(p.schema) ?? 'usr'),
        ]),
      );
      return plan(operation, fillPath(operation.path, values), exampleText(operation, context));
    });
  });
}

/** A UTF-16 body, a 100 kB header and an Idempotency-Key holding a NUL. */
export function headerEdges(operation: Operation, context: FuzzContext): RequestPlan[] {
  const url = seededPath(operation);
  const text = exampleText(operation, context) ?? '{}';
  return [
    {
      ...plan(operation, url, text, { 'content-type': 'application/json; charset=utf-16le' }),
      body: { text, encoding: 'utf16le' },
    },
    plan(operation, url, exampleText(operation, context), {
      'x-fuzz-padding': 'a'.repeat(100_000),
    }),
    plan(operation, url, exampleText(operation, context), { 'idempotency-key': NUL_TEXT }),
  ];
}
