/**
 * The operations of the API as its own OpenAPI document describes them. The hostile-input
 * suite and the input-limits check read the routes from the running app, so a route module
 * added later is covered without touching the tests.
 */
import type { LyceumApp } from '../../src/api/types.js';
import { ID_PREFIXES } from '../../src/shared/ids.js';

/** The part of JSON Schema the API's TypeBox schemas produce. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  $ref?: string;
}

/** A path, query or header parameter of one operation. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

/** One method on one path, e.g. `PATCH /v2/users/{id}`. */
export interface Operation {
  /** `PATCH /v2/users/{id}`: names the operation in test output. */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, with `{name}` for each path parameter. */
  path: string;
  parameters: Parameter[];
  /** The JSON body schema, when the operation declares one. */
  body: JsonSchema | undefined;
}

interface OpenApiOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** The fields of the document this suite reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Fetches the document the way a client would: `GET /v2/openapi.json`, without a key. */
export async function fetchOpenApiDocument(app: LyceumApp): Promise<OpenApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/v2/openapi.json' });
  if (response.statusCode !== 200) {
    throw new Error(`GET /v2/openapi.json answered ${response.statusCode}: ${response.body}`);
  }
  return response.json() as OpenApiDocument;
}

/** Every operation of the document, in document order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const lower of METHODS) {
      const operation = item[lower];
      if (!operation) continue;
      const method = lower.toUpperCase() as Operation['method'];
      operations.push({
        id: `${method} ${path}`,
        method,
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return operations;
}

/** The parameters of one location. */
export function parametersIn(operation: Operation, location: Parameter['in']): Parameter[] {
  return operation.parameters.filter((parameter) => parameter.in === location);
}

/** Puts already-encoded values into the path template. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_whole, name: string) => values[name] ?? '');
}

const KNOWN_PREFIXES = new Set<string>(Object.values(ID_PREFIXES));

/** The id prefix (`usr`, `crs`…) a string schema demands through its pattern, if any. */
export function idPrefixOf(schema: JsonSchema): string | undefined {
  const prefix = /^\^([a-z]+)_/.exec(schema.pattern ?? '')?.[1];
  return prefix !== undefined && KNOWN_PREFIXES.has(prefix) ? prefix : undefined;
}

/** Follows a local `$ref` into `components.schemas`; other schemas come back unchanged. */
export function resolveRef(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace(/^#\/components\/schemas\//, '').replace(/#$/, '');
  const target = document.components?.schemas?.[name];
  if (!target) throw new Error(`the OpenAPI document has no schema for $ref ${schema.$ref}`);
  return target;
}
