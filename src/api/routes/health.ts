/**
 * Liveness, readiness and the key check: `/healthz` answers while the process runs, `/readyz`
 * only while its dependencies answer too, `GET /v2/ping` confirms a key.
 */
import { sql } from 'kysely';
import { Type } from 'typebox';
import { errorMessage } from '../../shared/errors.js';
import type { ApiServices } from '../app.js';
import type { LyceumApp } from '../types.js';

export function healthRoutes(app: LyceumApp, { context }: ApiServices): void {
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
      const checks: Record<string, { ok: boolean; error?: string }> = {};
      try {
        await sql`select 1`.execute(context.database.db);
        checks.database = { ok: true };
      } catch (error) {
        checks.database = { ok: false, error: errorMessage(error) };
      }
      const ready = Object.values(checks).every((check) => check.ok);
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks });
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
