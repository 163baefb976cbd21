/**
 * The HTTP app: problem errors, authentication, the OpenAPI document and every route. Built
 * without listening so tests can drive it in-process with `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { registerConsole } from '../console/register.js';
import type { AppContext } from '../context.js';
import { LYCEUM_VERSION } from '../shared/version.js';
import { ApiKeyCache, installAuth } from './auth.js';
import { handleFrameworkError, installErrorHandling } from './error-handler.js';
import { installIdempotency } from './idempotency/install.js';
import { installJsonBodies } from './json-body.js';
import { installRateLimit } from './rate-limit/install.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { RequestLogger } from './request-logger.js';
import { registerRoutes } from './routes/index.js';
import { ProblemSchema } from './schemas/common.js';
import type { LyceumApp } from './types.js';
import { installValidation } from './validation.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Everything the app shares between its routes. */
export interface ApiServices {
  context: AppContext;
  keyCache: ApiKeyCache;
  rateLimiter: RateLimiter;
}

/** Builds the app; call `listen` on it to serve, or `inject` to test. */
export async function buildApp(context: AppContext): Promise<LyceumApp> {
  const app = Fastify({
    loggerInstance: context.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Per-request lines would cost more than the request itself on the hot path; failures are
    // logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, options) => new RequestLogger(logger, bindings, options),
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    frameworkErrors: handleFrameworkError,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First of all hooks, so that every answer carries it, a refusal by a later hook included;
  // the router's own refusals, which run no hook, set it in handleFrameworkError. On a request
  // rather than on each send: a route without onSend hooks answers on a shorter path.
  app.addHook('onRequest', function requestIdHeader(request, reply, done) {
    reply.header('x-request-id', request.id);
    done();
  });
  installJsonBodies(app);
  app.addSchema(ProblemSchema);
  installValidation(app);
  installErrorHandling(app);

  const keyCache = new ApiKeyCache(context);
  installAuth(app, keyCache);
  const rateLimiter = new RateLimiter(
    context.logger.child({ component: 'rate-limit' }),
    context.config.redisUrl,
  );
  installRateLimit(app, rateLimiter, context.clock);
  app.addHook('onClose', async () => rateLimiter.close());
  installIdempotency(app, context);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lyceum API',
        version: LYCEUM_VERSION,
        description:
          'The REST API of Lyceum. Webhooks announce changes; this API hydrates the full record.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });

  await registerRoutes(app, { context, keyCache, rateLimiter });
  registerConsole(app, { context });

  app.get(
    '/v2/openapi.json',
    { config: { auth: 'public' }, schema: { hide: true } },
    async function openApiDocument() {
      return app.swagger();
    },
  );
  app.addHook('onRoute', function docsArePublic(route) {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, auth: 'public' };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  return app;
}
