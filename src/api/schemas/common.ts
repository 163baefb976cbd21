/**
 * Schema pieces every route shares. They validate requests and, through @fastify/swagger,
 * become the OpenAPI document, so the two cannot drift apart.
 */
import { type TSchema, Type } from 'typebox';
import { type IdKind, idPattern } from '../../shared/ids.js';

/** An id of one kind, e.g. `usr_01JD…`. */
export const IdOf = (kind: IdKind, description?: string) =>
  Type.String({ pattern: idPattern(kind), maxLength: 40, ...(description ? { description } : {}) });

/** `{ id }` route parameters. */
export const IdParams = (kind: IdKind) => Type.Object({ id: IdOf(kind) });

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** A bounded, trimmed-by-convention text field. */
export const Text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ location: Type.String(), pointer: Type.String(), message: Type.String() }),
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
);

/** The query of every list: page size and the cursor of the previous page. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
};

/** The update window of a bulk export. */
export const WindowQuery = {
  updatedSince: Type.Optional(Timestamp),
  updatedUntil: Type.Optional(Timestamp),
};

/** The envelope of every list answer. */
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    pageInfo: Type.Object({
      cursor: Type.Union([Type.String(), Type.Null()]),
      hasMore: Type.Boolean(),
    }),
  });

/** Problem responses a route may answer with, for the OpenAPI document. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [400, 401, 403, 429, ...statuses].map((status) => [
      status,
      { $ref: 'Problem#', description: 'A problem (RFC 9457)' },
    ]),
  );
