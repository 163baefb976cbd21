/**
 * What a certification is worth at a given instant. The answer depends only on instants stored
 * with the certification, never on the current time, so asking about the same instant gives the
 * same answer whatever happened since: a revocation made today does not change what was true
 * last month. That is what a verifier needs to check a certificate shown at some past date.
 */
import type { CertificationTable } from '../db/schema.js';

/** What a certification is worth at an instant. */
export const CERTIFICATION_STATUSES = ['active', 'expired', 'revoked'] as const;
export type CertificationStatus = (typeof CERTIFICATION_STATUSES)[number];

const DAY_MS = 86_400_000;

/** When a certification issued at `issuedAt` expires; null when the course sets no validity. */
export function expiryFor(issuedAt: number, validityDays: number | null): number | null {
  return validityDays === null ? null : issuedAt + validityDays * DAY_MS;
}

/**
 * The status at instant `at` (epoch ms). Revocation wins over expiry from the moment it
 * happened; before that an expired certificate reads as expired.
 */
export function certificationStatusAt(
  row: Pick<CertificationTable, 'revoked_at' | 'expires_at'>,
  at: number,
): CertificationStatus {
  if (row.revoked_at !== null && row.revoked_at <= at) return 'revoked';
  if (row.expires_at !== null && row.expires_at <= at) return 'expired';
  return 'active';
}
