/**
 * Says once, at the start of a run, which service-backed tests will skip and why.
 */
import { POSTGRES_URL, postgresAvailable, REDIS_URL, redisAvailable } from './services.js';

export default function announceSkips(): void {
  if (!postgresAvailable) {
    console.warn(
      `PostgreSQL tests skipped: nothing answers at ${POSTGRES_URL} (set LYCEUM_TEST_POSTGRES_URL).`,
    );
  }
  if (!redisAvailable) {
    console.warn(
      `Redis tests skipped: nothing answers at ${REDIS_URL} (set LYCEUM_TEST_REDIS_URL).`,
    );
  }
}
