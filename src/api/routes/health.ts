/**
 * Liveness, readiness and the key check: `/healthz` answers while the process runs, `/readyz`
 * only while its dependencies answer too, `GET /v2/ping` confirms a key.
 */
import { sql } from 'kysely';
import { Type } from 'typebox';
import { errorMessage } from '../../shared/errors.js';
import type { ApiServices } from '../app.js';
import type { LyceumApp } from '../types.js';

export function healthRoutes(app: LyceumApp, { context, rateLimiter }: ApiServices): void {
  app.get(
    '/healthz',
    { config: { auth: 'public' }, schema: { hide: true } },
    async function healthz() {
      return { status: 'ok' };
    },
  );

  app.get(
    '/readyz',
    { config: { auth: 'public' }, schema: { hide: true } },
    async function readyz(_request, reply) {
      let database: { ok: boolean; error?: string } = { ok: true };
      try {
        await sql`select 1`.execute(context.database.db);
      } catch (error) {
        database = { ok: false, error: errorMessage(error) };
      }
      // Redis trouble is reported but does not fail readiness: the API keeps answering with
      // per-process rate limits (see src/api/rate-limit/rate-limiter.ts).
      const limiter = await rateLimiter.health();
      const ready = database.ok;
      const body = {
        status: ready ? 'ready' : 'unavailable',
        checks: { database, rateLimit: limiter },
      };
      return reply.code(ready ? 200 : 503).send(body);
    },
  );

  app.get(
    '/metrics',
    { config: { auth: context.config.metricsPublic ? 'public' : 'admin' }, schema: { hide: true } },
    async function metrics(_request, reply) {
      const text = await context.metrics.registry.metrics();
      return reply.type(context.metrics.registry.contentType).send(text);
    },
  );

  app.get(
    '/v2/ping',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Check an API key',
        tags: ['keys'],
        response: { 200: Type.Object({ valid: Type.Literal(true) }) },
      },
    },
    async function ping() {
      return { valid: true as const };
    },
  );
}
