/**
 * The typed Fastify instance every route module registers on, and what auth attaches to a
 * request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { Scope } from '../keys/scopes.js';

export type LyceumApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The key a request was authenticated with. */
export interface RequestKey {
  id: string;
  scopes: Scope[];
  rateLimitPerMinute: number | null;
  rateLimitBurst: number | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `public` needs no key; otherwise the scope required (default: read for GET, else write). */
    auth?: 'public' | Scope;
  }
  interface FastifyRequest {
    apiKey: RequestKey | undefined;
  }
}
