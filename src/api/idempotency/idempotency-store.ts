/**
 * The table behind Idempotency-Key: claim a key for a request, record its answer, read it back.
 */
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { IdempotencyKeyTable } from '../../db/schema.js';

/** How long a first answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a request may hold its key before another with the same key may take over. Longer
 * than any request runs; it only matters when a process died mid-request.
 */
export const IDEMPOTENCY_LOCK_MS = 60_000;

export type ClaimResult = { kind: 'claimed' } | { kind: 'existing'; row: IdempotencyKeyTable };

export class IdempotencyStore {
  constructor(private readonly database: Database) {}

  /** Claims `key` for a request, or returns the row of the request that has it. */
  async claim(
    apiKeyId: string,
    key: string,
    requestHash: string,
    now: number,
  ): Promise<ClaimResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.database.db
          .insertInto('idempotency_keys')
          .values({
            api_key_id: apiKeyId,
            idempotency_key: key,
            request_hash: requestHash,
            state: 'in_progress',
            response_status: null,
            response_type: null,
            response_body: null,
            created_at: now,
            expires_at: now + IDEMPOTENCY_TTL_MS,
          })
          .execute();
        return { kind: 'claimed' };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }

      const row = await this.find(apiKeyId, key);
      if (!row) continue;
      const abandoned = row.state === 'in_progress' && row.created_at + IDEMPOTENCY_LOCK_MS <= now;
      if (row.expires_at > now && !abandoned) return { kind: 'existing', row };
      // Expired or abandoned: remove exactly that row and try to claim again.
      await this.database.db
        .deleteFrom('idempotency_keys')
        .where('api_key_id', '=', apiKeyId)
        .where('idempotency_key', '=', key)
        .where('created_at', '=', row.created_at)
        .execute();
    }
    throw new Error('could not claim an idempotency key after three attempts');
  }

  /** Records the answer of the request that claimed `key`. */
  async complete(
    apiKeyId: string,
    key: string,
    response: { status: number; type: string; body: string },
  ): Promise<void> {
    await this.database.db
      .updateTable('idempotency_keys')
      .set({
        state: 'completed',
        response_status: response.status,
        response_type: response.type,
        response_body: response.body,
      })
      .where('api_key_id', '=', apiKeyId)
      .where('idempotency_key', '=', key)
      .execute();
  }

  /** Frees `key` so the request may be retried (after a fault, nothing to replay). */
  async release(apiKeyId: string, key: string): Promise<void> {
    await this.database.db
      .deleteFrom('idempotency_keys')
      .where('api_key_id', '=', apiKeyId)
      .where('idempotency_key', '=', key)
      .where('state', '=', 'in_progress')
      .execute();
  }

  /** Deletes answers older than 24 hours. */
  async purgeExpired(now: number): Promise<void> {
    await this.database.db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute();
  }

  private find(apiKeyId: string, key: string): Promise<IdempotencyKeyTable | undefined> {
    return this.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('api_key_id', '=', apiKeyId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }
}
