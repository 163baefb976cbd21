/**
 * Bearer-key authentication and scope checks, run before every route that is not public.
 *
 * Lookups are cached for a short time so the hot path of a read costs no extra query. Revoking
 * drops the entry in the revoking process at once; other processes notice within the cache
 * lifetime (KEY_CACHE_MS).
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
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

  /**
   * The cached lookup of a presented bearer token: the key, null when it is known to be
   * unknown or revoked, or undefined when the database has to be asked (see `lookup`).
   */
  peek(presented: string): RequestKey | null | undefined {
    const cached = this.entries.get(hashKey(presented));
    if (!cached || cached.expiresAt <= this.context.clock.now()) return undefined;
    return cached.key ?? null;
  }

  /** The key behind a presented bearer token, or undefined when unknown or revoked. */
  async lookup(presented: string): Promise<RequestKey | undefined> {
    const cached = this.peek(presented);
    if (cached !== undefined) return cached ?? undefined;

    const hash = hashKey(presented);
    const now = this.context.clock.now();
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
  // Read once: Fastify builds a new routeOptions object on every access.
  const { url, config } = request.routeOptions;
  if (!url) return undefined;
  const declared = config.auth;
  if (declared) return declared;
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
}

/** Installs authentication on every route of `app`. */
export function installAuth(app: LyceumApp, cache: ApiKeyCache): void {
  app.decorateRequest('apiKey', undefined);

  // A callback hook: nearly every request finds its key cached and is decided without a
  // promise, which is measurable on the hot path; only a cache miss waits for the database.
  app.addHook(
    'onRequest',
    function authenticate(
      request: FastifyRequest,
      _reply: FastifyReply,
      done: HookHandlerDoneFunction,
    ) {
      const required = requiredAuth(request);
      if (required === undefined || required === 'public') return done();

      const match = BEARER.exec(request.headers.authorization ?? '');
      if (!match) return done(unauthorized());
      const token = match[1]!;
      const cached = cache.peek(token);
      if (cached !== undefined) return done(admit(request, cache, cached ?? undefined, required));
      cache.lookup(token).then((key) => done(admit(request, cache, key, required)), done);
    },
  );
}

const BEARER = /^Bearer\s+(\S{1,256})\s*$/i;

/** Lets the request through with `key`, or says why not. */
function admit(
  request: FastifyRequest,
  cache: ApiKeyCache,
  key: RequestKey | undefined,
  required: Scope,
): ApiProblem | undefined {
  if (!key) return unauthorized();
  if (!allows(key.scopes, required)) {
    return new ApiProblem(
      403,
      'forbidden',
      `This API key lacks the "${required}" scope this request needs; use a key that has it.`,
    );
  }
  request.apiKey = key;
  cache.touch(key.id);
  return undefined;
}
