/**
 * Turning the JSON Schemas of the OpenAPI document and of the event catalog into TypeScript
 * types. Only what those documents use is covered: objects, arrays, unions (`anyOf`), enums,
 * constants, `$ref` to components and the scalar types. The output is formatted by Biome
 * afterwards, so this writes plain, correct code rather than pretty code.
 */

/** The JSON Schema subset the documents use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  $ref?: string;
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  format?: string;
}

/** How names and inputs are resolved while writing a type. */
export interface TypeContext {
  /** The named type an inline schema is equal to, if any (fastify inlines components). */
  nameOf(schema: JsonSchema): string | undefined;
  /** Whether date-time strings also accept a Date (query parameters). */
  dateInput?: boolean;
}

/** A JSON text of `value` with object keys sorted, for comparing schemas. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const entries = Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries);
  });
}

/** A doc comment holding `text`, or nothing. */
export function docComment(text: string | undefined): string {
  if (text === undefined || text.trim() === '') return '';
  const lines = text.replaceAll('*/', '*\\/').trim().split('\n');
  if (lines.length === 1) return `/** ${lines[0]} */\n`;
  return `/**\n${lines.map((line) => ` * ${line}`.trimEnd()).join('\n')}\n */\n`;
}

/** A property name as it must be written in a type. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/** The TypeScript type of `schema`. */
export function tsType(schema: JsonSchema, context: TypeContext, top = false): string {
  const named = top ? undefined : context.nameOf(schema);
  if (named !== undefined) return named;
  if (schema.$ref !== undefined) return refName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return union(schema.enum.map((value) => JSON.stringify(value)));
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants !== undefined) return union(variants.map((item) => tsType(item, context)));
  if (Array.isArray(schema.type)) {
    return union(schema.type.map((type) => tsType({ ...schema, type }, context)));
  }

  switch (schema.type) {
    case 'string':
      return context.dateInput && schema.format === 'date-time' ? 'string | Date' : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${schema.items ? tsType(schema.items, context) : 'unknown'}>`;
    case 'object':
      return objectType(schema, context);
    default:
      return schema.properties ? objectType(schema, context) : 'unknown';
  }
}

/** The members of an object type, one per line, each with its doc comment. */
export function objectMembers(schema: JsonSchema, context: TypeContext): string {
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const optional = required.has(name) ? '' : '?';
    return `${docComment(property.description)}${propertyKey(name)}${optional}: ${tsType(property, context)};`;
  });
  const extra = schema.additionalProperties;
  if (extra === true || (typeof extra === 'object' && extra !== null)) {
    const value = extra === true ? 'unknown' : tsType(extra, context);
    members.push(`[key: string]: ${value};`);
  }
  return members.join('\n');
}

function objectType(schema: JsonSchema, context: TypeContext): string {
  const members = objectMembers(schema, context);
  if (members === '') return 'Record<string, unknown>';
  return `{\n${members}\n}`;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  return unique.length === 1 ? unique[0]! : unique.join(' | ');
}

function refName(ref: string): string {
  const name = ref.split('/').at(-1);
  if (name === undefined || name === '') throw new Error(`cannot name the reference "${ref}"`);
  return name;
}

/** A declaration of `name` as an interface (objects with properties) or a type alias. */
export function declaration(name: string, schema: JsonSchema, context: TypeContext): string {
  const comment = docComment(schema.description);
  if (schema.type === 'object' && schema.properties && Object.keys(schema.properties).length > 0) {
    return `${comment}export interface ${name} {\n${objectMembers(schema, context)}\n}\n`;
  }
  return `${comment}export type ${name} = ${tsType(schema, context, true)};\n`;
}
