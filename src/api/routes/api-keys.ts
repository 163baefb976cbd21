/**
 * `/v2/api-keys` (admin): create a key (shown once), list and revoke keys.
 */
import { Type } from 'typebox';
import { createApiKey, listApiKeys, revokeApiKey } from '../../keys/api-keys.js';
import { parseRateLimit } from '../../keys/rate-limit-spec.js';
import { SCOPES } from '../../keys/scopes.js';
import type { ApiServices } from '../app.js';
import { badRequest, notFound } from '../problem.js';
import {
  IdOf,
  IdParams,
  NullableTimestamp,
  problemResponses,
  Text,
  Timestamp,
} from '../schemas/common.js';
import type { LyceumApp } from '../types.js';

const Scope = Type.Union(SCOPES.map((scope) => Type.Literal(scope)));

const ApiKey = Type.Object(
  {
    id: IdOf('apiKey'),
    name: Type.String(),
    prefix: Type.String({ description: 'The start of the key, to tell keys apart' }),
    scopes: Type.Array(Type.String()),
    rateLimitPerMinute: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Timestamp,
    lastUsedAt: NullableTimestamp,
    revokedAt: NullableTimestamp,
  },
  { $id: 'ApiKey' },
);

const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The key itself; shown this once and never again' }),
});

const CreateApiKeyBody = Type.Object(
  {
    name: Text(100, 1),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 3, uniqueItems: true }),
    rateLimit: Type.Optional(
      Type.String({ maxLength: 32, description: 'Requests allowed, e.g. "600/min" or "10/s"' }),
    ),
  },
  { additionalProperties: false },
);

export function apiKeyRoutes(app: LyceumApp, { context, keyCache }: ApiServices): void {
  app.post(
    '/v2/api-keys',
    {
      config: { auth: 'admin', replay: false },
      schema: {
        summary: 'Create an API key; the key is in this answer only',
        tags: ['keys'],
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...problemResponses() },
      },
    },
    async function createApiKeyRoute(request, reply) {
      let rateLimitPerMinute: number | null = null;
      if (request.body.rateLimit !== undefined) {
        try {
          rateLimitPerMinute = parseRateLimit(request.body.rateLimit);
        } catch (error) {
          throw badRequest((error as Error).message);
        }
      }
      const created = await createApiKey(context, {
        name: request.body.name,
        scopes: request.body.scopes,
        rateLimitPerMinute,
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v2/api-keys',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'List API keys (without the keys themselves)',
        tags: ['keys'],
        response: { 200: Type.Object({ data: Type.Array(ApiKey) }), ...problemResponses() },
      },
    },
    async function listApiKeysRoute() {
      return { data: await listApiKeys(context) };
    },
  );

  app.delete(
    '/v2/api-keys/:id',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Revoke an API key; it stops working at once',
        tags: ['keys'],
        params: IdParams('apiKey'),
        response: { 200: ApiKey, ...problemResponses(404) },
      },
    },
    async function revokeApiKeyRoute(request) {
      const revoked = await revokeApiKey(context, request.params.id);
      if (!revoked) throw notFound('API key', request.params.id);
      keyCache.forgetAll();
      return revoked;
    },
  );
}
