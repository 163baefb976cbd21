/**
 * Values built from a JSON schema: valid examples (with real ids through placeholders, and
 * hints for fields whose valid values live in code rather than in the schema), the values just
 * outside what a schema accepts, and "nearly valid" values: a valid example with one to three
 * mutations (drop a field, break a bound, swap in a hostile value, add or repeat a key, wrap).
 */
import fc from 'fast-check';
import {
  freshId,
  hostileKey,
  hostileNode,
  type JsonNode,
  nodeOf,
  printJson,
  raw,
  seedToken,
  str,
} from './hostile-values.js';
import { idPrefixOf, type JsonSchema } from './openapi-operations.js';

/** What the arbitraries need to know about the running app. */
export interface FuzzContext {
  /** From `GET /v2/event-types`, for fields whose valid values live in code. */
  eventTypes: string[];
}

/** An IP literal on the public internet: the address guard accepts it without a DNS lookup. */
export const PUBLIC_WEBHOOK_URL = 'https://93.184.215.14/hook';

/** Valid values of fields the schema cannot fully describe, by property name. */
const HINTS: Record<string, (context: FuzzContext) => fc.Arbitrary<JsonNode>> = {
  url: () =>
    fc
      .constantFrom('', '/a', '/hooks/lyceum?x=1')
      .map((suffix) => str(`${PUBLIC_WEBHOOK_URL}${suffix}`)),
  eventTypes: ({ eventTypes }) =>
    fc.oneof(
      fc.constant(nodeOf(['*'])),
      fc
        .subarray(eventTypes, { minLength: 1, maxLength: Math.min(5, eventTypes.length) })
        .map(nodeOf),
    ),
  types: ({ eventTypes }) =>
    fc
      .subarray(eventTypes, { minLength: 1, maxLength: Math.min(4, eventTypes.length) })
      .map((types) => str(types.join(','))),
  rateLimit: () => fc.constantFrom('600/min', '10/s', '1/min', '1000000/min').map(str),
};

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function stringExample(schema: JsonSchema): fc.Arbitrary<string> {
  const prefix = idPrefixOf(schema);
  if (prefix !== undefined) {
    return fc.oneof({ weight: 4, arbitrary: fc.constant(seedToken(prefix)) }, freshId(prefix));
  }
  if (schema.format === 'email') {
    return fc.stringMatching(/^[a-z0-9]{1,20}$/).map((local) => `fuzz-${local}@example.com`);
  }
  if (schema.format === 'date-time') {
    const range = { min: new Date('2000-01-01'), max: new Date('2100-01-01') };
    return fc.date({ ...range, noInvalidDate: true }).map((date) => date.toISOString());
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  if (schema.pattern !== undefined) {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 1000));
  }
  return fc.string({ unit: 'grapheme', minLength, maxLength });
}

/** A value the schema accepts; `name` is the property it is for, to consult HINTS. */
export function exampleOf(
  schema: JsonSchema,
  context: FuzzContext,
  name = '',
): fc.Arbitrary<JsonNode> {
  const hint = HINTS[name];
  if (hint) return hint(context);
  if (schema.const !== undefined) return fc.constant(nodeOf(schema.const));
  if (schema.enum) return fc.constantFrom(...schema.enum).map(nodeOf);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map((branch) => exampleOf(branch, context, name)));

  switch (typeOf(schema)) {
    case 'string':
      return stringExample(schema).map(str);
    case 'integer':
      return fc
        .integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 })
        .map((n) => raw(String(n)));
    case 'number':
      return fc
        .double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
        .map((n) => raw(JSON.stringify(n)));
    case 'boolean':
      return fc.boolean().map((b) => raw(String(b)));
    case 'array':
      return fc
        .uniqueArray(exampleOf(schema.items ?? {}, context, name), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 5, 5),
          selector: printJson,
        })
        .map((items): JsonNode => ({ kind: 'array', items }));
    case 'object':
      return objectExample(schema, context);
    default:
      return fc.constant(raw('null'));
  }
}

function objectExample(schema: JsonSchema, context: FuzzContext): fc.Arbitrary<JsonNode> {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const entry = exampleOf(property, context, key).map((value): [string, JsonNode] => [
      key,
      value,
    ]);
    return required.has(key) ? entry : fc.option(entry, { nil: undefined });
  });
  return fc.tuple(...fields).map((picked): JsonNode => {
    const entries = picked.filter((e): e is [string, JsonNode] => e !== undefined);
    return { kind: 'object', entries };
  });
}

/** Values just outside what `schema` accepts, and a few of the wrong type. */
export function violationsOf(schema: JsonSchema): JsonNode[] {
  const out: JsonNode[] = [raw('null'), str(''), raw('[]'), raw('{}'), raw('true'), str('x')];
  const { minLength, maxLength, minimum, maximum, minItems, maxItems } = schema;
  if (maxLength !== undefined) {
    out.push(str('x'.repeat(maxLength + 1)), str('😀'.repeat(maxLength + 1)));
    out.push(str('😀'.repeat(maxLength)), str('\u0000'.repeat(Math.min(3, maxLength))));
  }
  if (minLength !== undefined && minLength > 0) out.push(str('x'.repeat(minLength - 1)));
  if (schema.pattern !== undefined) {
    out.push(str('UPPER'), str('with space'), str('trailing\n'), str(seedToken('evt')));
  }
  if (schema.format === 'email') {
    out.push(str('a@'), str('@b.co'), str('a b@c.de'), str('"a"@b.co'), str('a@[127.0.0.1]'));
    out.push(str(`${'x'.repeat(250)}@a.co`), str('a@b.co\u0000'));
  }
  if (schema.format === 'date-time')
    out.push(...['2016-12-31T23:59:60Z', '2024-02-30T00:00:00Z'].map(str));
  if (minimum !== undefined) out.push(raw(String(minimum - 1)), raw(String(minimum)));
  if (maximum !== undefined) out.push(raw(String(maximum + 1)), raw(String(maximum)));
  if (typeOf(schema) === 'integer') {
    out.push(raw('1.5'), raw('1e400'), raw('-0'), str('5'), str(' 5'), raw('[5]'));
    out.push(raw('9007199254740993'), raw('-1e308'));
  }
  if (typeOf(schema) === 'boolean') out.push(str('true'), raw('0'), raw('1'), str('yes'));
  if (schema.enum || schema.anyOf) out.push(str('nope'), str('ACTIVE'), str(' active'));
  if (minItems !== undefined && minItems > 0) out.push(raw('[]'));
  if (maxItems !== undefined) {
    const item = schema.items ? violationsOf(schema.items)[5]! : str('x');
    out.push({ kind: 'array', items: Array.from({ length: maxItems + 1 }, () => item) });
  }
  if (schema.items) {
    for (const bad of violationsOf(schema.items)) out.push({ kind: 'array', items: [bad] });
  }
  return out;
}

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'replace'; at: number; value: JsonNode }
  | { kind: 'violate'; at: number; pick: number }
  | { kind: 'add'; key: string; value: JsonNode }
  | { kind: 'repeat'; at: number; value: JsonNode }
  | { kind: 'wrap' };

const mutation = (known: string[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileNode(known) }),
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('violate' as const), at: fc.nat(), pick: fc.nat() }),
    },
    fc.record({ kind: fc.constant('add' as const), key: hostileKey(known), value: hostileNode() }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), value: hostileNode(known) }),
    fc.constant({ kind: 'wrap' as const }),
  );

function mutate(node: JsonNode, change: Mutation, schema: JsonSchema): JsonNode {
  if (change.kind === 'wrap') return { kind: 'array', items: [node] };
  if (node.kind !== 'object') return node;
  const entries = [...node.entries];
  if (change.kind === 'add')
    return { kind: 'object', entries: [...entries, [change.key, change.value]] };
  if (entries.length === 0) return node;

  const at = change.at % entries.length;
  const [key] = entries[at]!;
  if (change.kind === 'drop') entries.splice(at, 1);
  if (change.kind === 'replace') entries[at] = [key, change.value];
  if (change.kind === 'repeat') entries.push([key, change.value]);
  if (change.kind === 'violate') {
    const options = violationsOf(schema.properties?.[key] ?? {});
    entries[at] = [key, options[change.pick % options.length]!];
  }
  return { kind: 'object', entries };
}

/** A valid example of `schema` with one to three mutations, or none now and then. */
export function nearlyValid(schema: JsonSchema, context: FuzzContext): fc.Arbitrary<JsonNode> {
  const known = Object.keys(schema.properties ?? {});
  return fc
    .tuple(
      exampleOf(schema, context),
      fc.oneof(
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 8, arbitrary: fc.array(mutation(known), { minLength: 1, maxLength: 3 }) },
      ),
    )
    .map(([example, changes]) => changes.reduce((node, c) => mutate(node, c, schema), example));
}

/** One valid example of `schema`, the same on every run. */
export function firstExample(schema: JsonSchema, context: FuzzContext): JsonNode {
  return fc.sample(exampleOf(schema, context), { seed: 1, numRuns: 1 })[0]!;
}
