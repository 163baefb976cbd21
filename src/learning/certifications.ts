/**
 * Certifications: issued when a learner completes a course that grants one, valid for the
 * course's validity (or forever), and revocable. Their status is always computed for an
 * instant (see certification-status.ts) rather than stored, so no background job has to mark
 * certificates expired and a past instant keeps its answer.
 */

import {
  applyUpdateWindow,
  type Page,
  pageOfWindow,
  resolveUpdateWindow,
  type WindowQuery,
} from '../api/pagination.js';
import { ApiProblem, badRequest, conflict, notFound } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import type { CertificationTable, CourseTable, EnrollmentTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { toIso } from '../shared/clock.js';
import {
  type CertificationStatus,
  certificationStatusAt,
  expiryFor,
} from './certification-status.js';
import { lockedOn } from './row-lock.js';
import { getUser } from './users.js';

/** A certification as the API answers it, with its status at one instant. */
export interface CertificationView {
  id: string;
  userId: string;
  courseId: string;
  enrollmentId: string;
  issuedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  /** The status at the instant the answer was computed for. */
  status: CertificationStatus;
  createdAt: string;
  updatedAt: string;
}

/** A certification as it stood at the instant `at` that was asked about. */
export interface CertificationAtView extends CertificationView {
  at: string;
}

type Context = WriteServices;

/** The answer for a certification, with its status at instant `at` (epoch ms). */
export function viewCertification(row: CertificationTable, at: number): CertificationView {
  return {
    id: row.id,
    userId: row.user_id,
    courseId: row.course_id,
    enrollmentId: row.enrollment_id,
    issuedAt: toIso(row.issued_at),
    expiresAt: toIso(row.expires_at),
    revokedAt: toIso(row.revoked_at),
    revocationReason: row.revocation_reason,
    status: certificationStatusAt(row, at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/**
 * Issues the certification of `enrollment`, completed at `completedAt`, inside the completion's
 * own transaction, and records certification.issued with it.
 */
export async function issueCertification(
  context: Pick<AppContext, 'clock' | 'ids' | 'deliverySignal'>,
  write: WriteContext,
  enrollment: EnrollmentTable,
  course: Pick<CourseTable, 'certificate_validity_days'>,
  completedAt: number,
): Promise<CertificationTable> {
  const row: CertificationTable = {
    id: context.ids.next('certification'),
    user_id: enrollment.user_id,
    course_id: enrollment.course_id,
    enrollment_id: enrollment.id,
    issued_at: completedAt,
    expires_at: expiryFor(completedAt, course.certificate_validity_days),
    revoked_at: null,
    revocation_reason: null,
    created_at: completedAt,
    updated_at: completedAt,
  };
  await write.trx.insertInto('certifications').values(row).execute();
  await recordEvent(context, write, 'certification.issued', {
    certificationId: row.id,
    userId: row.user_id,
    courseId: row.course_id,
  });
  return row;
}

/** Turns the `at` of a request (ISO 8601) into epoch ms; absent means now. */
function instantOf(at: string | undefined, now: number): number {
  if (at === undefined) return now;
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) {
    throw badRequest(`at "${at}" is not a valid instant: use ISO 8601, e.g. 2026-01-31T12:00:00Z.`);
  }
  return ms;
}

/**
 * Reads a certification as it stood at `at` (default now). An instant before issuance has no
 * answer: the certification did not exist yet, which is a 422 rather than a made-up status.
 */
export async function getCertificationAt(
  context: Pick<AppContext, 'database' | 'clock'>,
  id: string,
  at?: string,
): Promise<CertificationAtView> {
  const instant = instantOf(at, context.clock.now());
  const row = await context.database.db
    .selectFrom('certifications')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Certification', id);
  if (instant < row.issued_at) {
    const issuedAt = toIso(row.issued_at);
    throw new ApiProblem(
      422,
      'before-issuance',
      `Certification ${id} was issued at ${issuedAt}, after ${toIso(instant)}; ask about an instant from its issuance on.`,
      { issuedAt },
    );
  }
  return { ...viewCertification(row, instant), at: toIso(instant) };
}

/** Revokes a certification from now on and records certification.revoked; twice is a 409. */
export async function revokeCertification(
  context: Context,
  id: string,
  reason?: string,
): Promise<CertificationView> {
  return transact(context.database, async (write) => {
    const current = await lockedOn(
      write,
      write.trx.selectFrom('certifications').selectAll().where('id', '=', id),
    ).executeTakeFirst();
    if (!current) throw notFound('Certification', id);
    if (current.revoked_at !== null) {
      throw conflict(`Certification ${id} was already revoked at ${toIso(current.revoked_at)}.`);
    }

    const now = context.clock.now();
    const row: CertificationTable = {
      ...current,
      revoked_at: now,
      revocation_reason: reason ?? null,
      updated_at: now,
    };
    await write.trx
      .updateTable('certifications')
      .set({ revoked_at: now, revocation_reason: row.revocation_reason, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(context, write, 'certification.revoked', {
      certificationId: id,
      userId: row.user_id,
      courseId: row.course_id,
    });
    return viewCertification(row, now);
  });
}

/** Lists a live user's certifications in update order, each with its status now. */
export async function listUserCertifications(
  context: Pick<AppContext, 'database' | 'clock'>,
  userId: string,
  query: WindowQuery,
): Promise<Page<CertificationView>> {
  await getUser(context, userId);
  const now = context.clock.now();
  const window = resolveUpdateWindow(query, now);
  const select = context.database.db
    .selectFrom('certifications')
    .selectAll()
    .where('user_id', '=', userId);
  const rows = await applyUpdateWindow(select, window, 'certifications').execute();
  return pageOfWindow(rows, window, (row) => viewCertification(row, now));
}
