/**
 * The raw material of hostile requests: JSON written token by token (so a body can hold what a
 * JavaScript value cannot: duplicate keys, `1e400`, `-0`, `__proto__` as a plain key, nesting a
 * hundred thousand deep), and arbitraries of strings, numbers, dates, ids and keys chosen for
 * the trouble they cause.
 *
 * Real ids are not known when values are generated (the seed objects are re-created during a
 * run), so a value refers to one through a placeholder such as `~~seed.usr~~`, replaced just
 * before the request is sent. The placeholder is made of characters that neither JSON nor
 * percent-encoding changes.
 */
import fc from 'fast-check';
import { ID_PREFIXES } from '../../src/shared/ids.js';

/** A JSON value as text is written. */
export type JsonNode =
  | { kind: 'raw'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'object'; entries: Array<[string, JsonNode]> };

/** A token written as is: a number, `true`, `null`, or something that is not JSON at all. */
export const raw = (text: string): JsonNode => ({ kind: 'raw', text });
/** A JSON string holding `value`. */
export const str = (value: string): JsonNode => ({ kind: 'string', value });

/** Writes a node as JSON text. */
export function printJson(node: JsonNode): string {
  switch (node.kind) {
    case 'raw':
      return node.text;
    case 'string':
      return JSON.stringify(node.value);
    case 'array':
      return `[${node.items.map(printJson).join(',')}]`;
    case 'object':
      return `{${node.entries.map(([key, value]) => `${JSON.stringify(key)}:${printJson(value)}`).join(',')}}`;
  }
}

/** A node from a plain JSON value (a schema's enum or const). */
export function nodeOf(value: unknown): JsonNode {
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value)) return { kind: 'array', items: value.map(nodeOf) };
  if (value !== null && typeof value === 'object') {
    return { kind: 'object', entries: Object.entries(value).map(([k, v]) => [k, nodeOf(v)]) };
  }
  return raw(JSON.stringify(value ?? null));
}

/** The placeholder for the id of the seeded object with this prefix, e.g. `usr`. */
export const seedToken = (prefix: string) => `~~seed.${prefix}~~`;
/** The placeholder for the harness key of this scope. */
export const keyToken = (scope: 'admin' | 'write' | 'read') => `~~key.${scope}~~`;

/** Every id prefix, `usr` to `att`. */
export const PREFIXES: string[] = Object.values(ID_PREFIXES);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.split('');

/** A well-formed id of `prefix` that names nothing. */
export const freshId = (prefix: string) =>
  fc
    .string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 })
    .map((body) => `${prefix}_${body}`);

/** Ids a route may get: real, unknown, of another kind, or malformed in one way. */
export const idLike = (prefix: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(seedToken(prefix)),
    freshId(prefix),
    fc.constantFrom(...PREFIXES).map(seedToken),
    fc.constantFrom(...PREFIXES).chain(freshId),
    fc.constantFrom(
      `${prefix}_`,
      `${prefix}_${'0'.repeat(25)}`,
      `${prefix}_${'0'.repeat(27)}`,
      `${prefix}_${'i'.repeat(26)}`,
      `${prefix}_${'ILOU'.repeat(6)}IL`,
      `${prefix}${'0'.repeat(27)}`,
      `${prefix.toUpperCase()}_${'0'.repeat(26)}`,
      `${prefix}_${'０'.repeat(26)}`,
      `${seedToken(prefix)} `,
      ` ${seedToken(prefix)}`,
      `${seedToken(prefix)}\u0000`,
    ),
  );

/** A string of `length` copies of one troublesome unit, up to past the 1 MiB body limit. */
export const longString = fc
  .record({
    unit: fc.constantFrom('a', 'é', '😀', '\u0000', ' ', '%', '\\', '"', '\ud800'),
    length: fc.oneof(
      fc.integer({ min: 100, max: 5_000 }),
      fc.integer({ min: 5_000, max: 300_000 }),
    ),
  })
  .map(({ unit, length }) => unit.repeat(length));

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  "' OR '1'='1",
  '"; drop table users; --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u200b',
  '\ufeff',
  'e\u0301',
  'Ａ',
  '𝕏',
  '\r\n',
  '\t',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${jndi:ldap://x}',
  '{{7*7}}',
  '*',
  ',',
  '.',
];

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 4,
});

/** Dates the ISO 8601 format check accepts but that a Date, or a bigint column, cannot hold. */
const EDGE_DATES = [
  '2016-12-31T23:59:60Z',
  '2016-12-31T23:59:60.5+01:00',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '2024-01-01t00:00:00z',
  '2024-01-01 00:00:00Z',
  '2024-01-01T00:00:00+23:59',
  `2024-01-01T00:00:00.${'9'.repeat(2_000)}Z`,
];

const BAD_DATES = [
  '2024-02-30T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2024-01-01',
  '2024-01-01T00:00:00',
  '2024-01-01T00:00:00-24:00',
  '2024-13-01T00:00:00Z',
  '2024-01-01T24:00:00Z',
  'yesterday',
  '1700000000',
  'Mon, 01 Jan 2024 00:00:00 GMT',
];

/** Dates that are almost ISO 8601, at the edges of the calendar, or not dates at all. */
export const badDate: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_DATES) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_DATES) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 50 })
      .map((digits) => `2024-06-01T12:00:00.${'1'.repeat(digits)}Z`),
  },
);

/** Short strings with a NUL character somewhere: SQLite stores it, PostgreSQL refuses it. */
const withNul = fc
  .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
  .map(([before, after]) => `${before}\u0000${after}`);

/** Strings chosen for trouble: special tokens, any code points, lone surrogates, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 2, arbitrary: withNul },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: loneSurrogates },
  { weight: 1, arbitrary: longString },
  { weight: 2, arbitrary: badDate },
  { weight: 2, arbitrary: fc.constantFrom(...PREFIXES).chain(idLike) },
);

const NUMBER_TOKENS = [
  '0',
  '-0',
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '1e-400',
  '5e-324',
  '9007199254740993',
  '-9007199254740993',
  '123456789012345678901234567890',
  '0.1',
  '1.5',
  '-1',
  '1E2',
  '100',
  '101',
  '36501',
];

/** Number tokens at the edges of what JSON, JavaScript and a bigint column can hold. */
export const hostileNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NUMBER_TOKENS),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
);

/** Keys that objects, prototypes and naive merges treat specially. */
export const hostileKey = (known: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      '',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '__defineGetter__',
      'length',
      'id',
      'createdAt',
      'updatedAt',
    ),
    fc.string({ maxLength: 12 }),
    ...(known.length > 0 ? [fc.constantFrom(...known)] : []),
  );

/** Nesting deep enough to exhaust a recursive parser, hasher or validator. */
export const deepNesting: fc.Arbitrary<JsonNode> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 10, max: 3_000 }), fc.integer({ min: 3_000, max: 200_000 })),
    style: fc.constantFrom('array', 'object', 'proto'),
  })
  .map(({ depth, style }) => {
    if (style === 'array') return raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    const key = style === 'proto' ? '__proto__' : 'a';
    return raw(`${`{"${key}":`.repeat(depth)}null${'}'.repeat(depth)}`);
  });

/** Any JSON value, hostile at every level. */
export const hostileNode = (known: string[] = []): fc.Arbitrary<JsonNode> => {
  const leaf = fc.oneof(
    { weight: 3, arbitrary: hostileString.map(str) },
    { weight: 2, arbitrary: hostileNumber.map(raw) },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map(raw) },
  );
  const { node } = fc.letrec<{ node: JsonNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: leaf },
      {
        weight: 2,
        arbitrary: fc
          .array(tie('node'), { maxLength: 4 })
          .map((items): JsonNode => ({ kind: 'array', items })),
      },
      {
        weight: 2,
        arbitrary: fc
          .array(fc.tuple(hostileKey(known), tie('node')), { maxLength: 4 })
          .map((entries): JsonNode => ({ kind: 'object', entries })),
      },
      { weight: 1, arbitrary: deepNesting },
    ),
  }));
  return node;
};

/** Bodies that are not JSON, or are JSON with something wrong around it. */
export const GARBAGE_BODIES = [
  '',
  ' ',
  '{',
  '[',
  '{"a":1',
  '{"a":1}}',
  '\ufeff{}',
  'null',
  '"string"',
  '0',
  'NaN',
  "{'a':1}",
  '{"a":1,}',
  '{"a":01}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\\ud800"}',
  '\u0000',
  '{"a":1}\u0000',
  '{}{}',
];
