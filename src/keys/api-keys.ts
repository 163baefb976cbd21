/**
 * API keys: created at random, shown once, stored only as a SHA-256 hash. A key is 32 random
 * bytes, so a fast hash is enough; there is nothing to brute-force.
 */
import { hash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import type { ApiKeyTable } from '../db/schema.js';
import { toIso } from '../shared/clock.js';
import type { Scope } from './scopes.js';

/** The visible start of every key, so a leaked one is easy to recognise in a scanner. */
export const KEY_PREFIX = 'lyk_';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  rateLimitPerMinute: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey {
  name: string;
  scopes: Scope[];
  rateLimitPerMinute?: number | null;
}

/**
 * Hashes a presented key for lookup. Every authenticated request hashes its key to find the
 * cached lookup; the one-shot `hash` costs a third of a `createHash` object.
 */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** A fresh random key. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The public view of a stored key. */
export function viewApiKey(row: ApiKeyTable): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    rateLimitPerMinute: row.rate_limit_per_minute,
    createdAt: toIso(row.created_at),
    lastUsedAt: toIso(row.last_used_at),
    revokedAt: toIso(row.revoked_at),
  };
}

/** Stores a new key; the returned `key` is the only time it is ever visible. */
export async function createApiKey(
  context: Pick<AppContext, 'database' | 'clock' | 'ids'>,
  input: NewApiKey,
  key: string = generateKey(),
): Promise<ApiKeyView & { key: string }> {
  const row: ApiKeyTable = {
    id: context.ids.next('apiKey'),
    name: input.name,
    prefix: key.slice(0, KEY_PREFIX.length + 8),
    key_hash: hashKey(key),
    scopes: JSON.stringify(input.scopes),
    rate_limit_per_minute: input.rateLimitPerMinute ?? null,
    rate_limit_burst: null,
    created_at: context.clock.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await context.database.db.insertInto('api_keys').values(row).execute();
  return { ...viewApiKey(row), key };
}

/**
 * Ensures the operator-injected admin key exists (LYCEUM_ADMIN_API_KEY). Idempotent: a restart
 * with the same key changes nothing, and a key the operator revoked stays revoked.
 */
export async function ensureAdminKey(
  context: Pick<AppContext, 'database' | 'clock' | 'ids'>,
  key: string,
): Promise<boolean> {
  const existing = await context.database.db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', hashKey(key))
    .executeTakeFirst();
  if (existing) return false;
  try {
    await createApiKey(context, { name: 'LYCEUM_ADMIN_API_KEY', scopes: ['admin'] }, key);
    return true;
  } catch (error) {
    // Another process starting at the same moment inserted it first.
    const again = await context.database.db
      .selectFrom('api_keys')
      .select('id')
      .where('key_hash', '=', hashKey(key))
      .executeTakeFirst();
    if (again) return false;
    throw error;
  }
}

/** Lists keys, newest first; revoked ones included so an operator sees the history. */
export async function listApiKeys(context: Pick<AppContext, 'database'>): Promise<ApiKeyView[]> {
  const rows = await context.database.db
    .selectFrom('api_keys')
    .selectAll()
    .orderBy('id', 'desc')
    .execute();
  return rows.map(viewApiKey);
}

/** Revokes a key; returns the revoked view, or undefined when no such key exists. */
export async function revokeApiKey(
  context: Pick<AppContext, 'database' | 'clock'>,
  id: string,
): Promise<ApiKeyView | undefined> {
  const now = context.clock.now();
  await context.database.db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
  const row = await context.database.db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? viewApiKey(row) : undefined;
}

/** The key record behind a presented key, or undefined when it is unknown or revoked. */
export async function findActiveKey(
  context: Pick<AppContext, 'database'>,
  key: string,
): Promise<ApiKeyTable | undefined> {
  return context.database.db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', hashKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}
