/**
 * Bearer-key authentication and scope checks, run before every route that is not public.
 *
 * Lookups are cached for a short time so the hot path of a read costs no extra query. Revoking
 * drops the entry in the revoking process at once; other processes notice within the cache
 * lifetime (KEY_CACHE_MS).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { ApiKeyTable } from '../db/schema.js';
import { findActiveKey, hashKey } from '../keys/api-keys.js';
import { allows, type Scope } from '../keys/scopes.js';
import { ApiProblem } from './problem.js';
import type { LyceumApp, RequestKey } from './types.js';

/** How long a key lookup is trusted before the database is asked again. */
export const KEY_CACHE_MS = 2000;
/** How often `last_used_at` is written for a busy key. */
const LAST_USED_RESOLUTION_MS = 60_000;
const CACHE_LIMIT = 10_000;

interface CachedKey {
  key: RequestKey | undefined;
  expiresAt: number;
}

/** A short-lived cache of key lookups, keyed by hash. */
export class ApiKeyCache {
  private readonly entries = new Map<string, CachedKey>();
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly context: AppContext) {}

  /** The key behind a presented bearer token, or undefined when unknown or revoked. */
  async lookup(presented: string): Promise<RequestKey | undefined> {
    const hash = hashKey(presented);
    const now = this.context.clock.now();
    const cached = this.entries.get(hash);
    if (cached && cached.expiresAt > now) return cached.key;

    const row = await findActiveKey(this.context, presented);
    if (this.entries.size >= CACHE_LIMIT) this.entries.clear();
    const key = row ? toRequestKey(row) : undefined;
    this.entries.set(hash, { key, expiresAt: now + KEY_CACHE_MS });
    return key;
  }

  /** Drops every cached lookup, e.g. after a revocation in this process. */
  forgetAll(): void {
    this.entries.clear();
  }

  /** Records use of a key, at most once a minute per key so reads stay reads. */
  touch(keyId: string): void {
    const now = this.context.clock.now();
    if (now - (this.lastTouched.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(keyId, now);
    this.context.database.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', keyId)
      .execute()
      .catch((error: unknown) => {
        this.context.logger.warn({ err: error, keyId }, 'could not record API key use');
      });
  }
}

function toRequestKey(row: ApiKeyTable): RequestKey {
  return {
    id: row.id,
    scopes: JSON.parse(row.scopes) as Scope[],
    rateLimitPerMinute: row.rate_limit_per_minute,
    rateLimitBurst: row.rate_limit_burst,
  };
}

const unauthorized = () =>
  new ApiProblem(
    401,
    'unauthorized',
    'A valid API key is required: send it as "Authorization: Bearer <key>".',
  );

/** The scope a route needs: declared in its config, or read for GET and write otherwise. */
function requiredAuth(request: FastifyRequest): 'public' | Scope | undefined {
  if (!request.routeOptions.url) return undefined;
  const declared = request.routeOptions.config.auth;
  if (declared) return declared;
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
}

/** Installs authentication on every route of `app`. */
export function installAuth(app: LyceumApp, cache: ApiKeyCache): void {
  app.decorateRequest('apiKey', undefined);

  app.addHook(
    'onRequest',
    async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
      const required = requiredAuth(request);
      if (required === undefined || required === 'public') return;

      const header = request.headers.authorization ?? '';
      const match = /^Bearer\s+(\S{1,256})\s*$/i.exec(header);
      const key = match ? await cache.lookup(match[1]!) : undefined;
      if (!key) throw unauthorized();

      if (!allows(key.scopes, required)) {
        throw new ApiProblem(
          403,
          'forbidden',
          `This API key lacks the "${required}" scope this request needs; use a key that has it.`,
        );
      }
      request.apiKey = key;
      cache.touch(key.id);
    },
  );
}
