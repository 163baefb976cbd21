/**
 * Enrollments: a live user in a published course, with progress from 0 to 100. Reaching 100,
 * by a progress update or an explicit complete call, completes the course (see
 * course-completion.ts). A completed enrollment is final: its progress no longer changes.
 */

import {
  applyUpdateWindow,
  type Page,
  pageOfWindow,
  resolveUpdateWindow,
  type WindowQuery,
} from '../api/pagination.js';
import { conflict, notFound, unprocessable } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import type { EnrollmentTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { toIso } from '../shared/clock.js';
import { announceCompletion } from './course-completion.js';
import { lockedOn } from './row-lock.js';
import { getUser } from './users.js';

/** An enrollment is active until its course is completed. */
export const ENROLLMENT_STATUSES = ['active', 'completed'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

/** The progress that completes a course. */
export const COMPLETE_PROGRESS = 100;

/** An enrollment as the API answers it. */
export interface EnrollmentView {
  id: string;
  userId: string;
  courseId: string;
  status: string;
  progress: number;
  enrolledAt: string;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Who enrolls in what. */
export interface NewEnrollment {
  userId: string;
  courseId: string;
}

/** The filters of one user's enrollment list. */
export interface UserEnrollmentListQuery extends WindowQuery {
  status?: EnrollmentStatus;
}

/** The filters of the enrollment list. */
export interface EnrollmentListQuery extends UserEnrollmentListQuery {
  userId?: string;
  courseId?: string;
}

type Context = WriteServices;

/** The answer for an enrollment. */
export function viewEnrollment(row: EnrollmentTable): EnrollmentView {
  return {
    id: row.id,
    userId: row.user_id,
    courseId: row.course_id,
    status: row.status,
    progress: row.progress,
    enrolledAt: toIso(row.enrolled_at),
    completedAt: toIso(row.completed_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

const alreadyEnrolled = (input: NewEnrollment) =>
  conflict(`User ${input.userId} is already enrolled in course ${input.courseId}.`);

/** Checks, inside the enrollment's transaction, that the user is live and the course open. */
async function assertEnrollable(write: WriteContext, input: NewEnrollment): Promise<void> {
  const user = await write.trx
    .selectFrom('users')
    .select('id')
    .where('id', '=', input.userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!user) {
    throw unprocessable(
      'unknown-user',
      `User ${input.userId} does not exist or was deleted; enroll an existing user.`,
    );
  }

  const course = await write.trx
    .selectFrom('courses')
    .select('status')
    .where('id', '=', input.courseId)
    .executeTakeFirst();
  if (!course) {
    throw unprocessable('unknown-course', `Course ${input.courseId} does not exist.`);
  }
  if (course.status !== 'published') {
    throw unprocessable(
      'course-not-published',
      `Course ${input.courseId} is ${course.status}; publish it before enrolling learners.`,
    );
  }
}

/** Enrolls a live user in a published course and records enrollment.created. */
export async function createEnrollment(
  context: Context,
  input: NewEnrollment,
): Promise<EnrollmentView> {
  try {
    return await transact(context.database, async (write) => {
      await assertEnrollable(write, input);
      const existing = await write.trx
        .selectFrom('enrollments')
        .select('id')
        .where('user_id', '=', input.userId)
        .where('course_id', '=', input.courseId)
        .executeTakeFirst();
      if (existing) throw alreadyEnrolled(input);

      const now = context.clock.now();
      const row: EnrollmentTable = {
        id: context.ids.next('enrollment'),
        user_id: input.userId,
        course_id: input.courseId,
        status: 'active',
        progress: 0,
        enrolled_at: now,
        completed_at: null,
        created_at: now,
        updated_at: now,
      };
      await write.trx.insertInto('enrollments').values(row).execute();
      await recordEvent(context, write, 'enrollment.created', {
        enrollmentId: row.id,
        userId: row.user_id,
        courseId: row.course_id,
      });
      return viewEnrollment(row);
    });
  } catch (error) {
    // Two requests for the same pair at once: the unique constraint lets only one through.
    if (isUniqueViolation(error)) throw alreadyEnrolled(input);
    throw error;
  }
}

/** Reads one enrollment. */
export async function getEnrollment(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<EnrollmentView> {
  const row = await context.database.db
    .selectFrom('enrollments')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Enrollment', id);
  return viewEnrollment(row);
}

async function requireEnrollment(write: WriteContext, id: string): Promise<EnrollmentTable> {
  const row = await lockedOn(
    write,
    write.trx.selectFrom('enrollments').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  if (!row) throw notFound('Enrollment', id);
  if (row.status === 'completed') {
    throw conflict(
      `Enrollment ${id} was completed at ${toIso(row.completed_at)}; its progress is final.`,
    );
  }
  return row;
}

/**
 * Moves an active enrollment to `progress`, recording enrollment.progressed when the number
 * changes; 100 also completes the course. Nothing changes and nothing is recorded otherwise.
 */
async function writeProgress(
  context: Context,
  write: WriteContext,
  current: EnrollmentTable,
  progress: number,
): Promise<EnrollmentTable> {
  const progressed = progress !== current.progress;
  const completes = progress === COMPLETE_PROGRESS;
  if (!progressed && !completes) return current;

  const now = context.clock.now();
  const row: EnrollmentTable = completes
    ? { ...current, progress, status: 'completed', completed_at: now, updated_at: now }
    : { ...current, progress, updated_at: now };
  await write.trx
    .updateTable('enrollments')
    .set({
      progress: row.progress,
      status: row.status,
      completed_at: row.completed_at,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .execute();

  if (progressed) {
    await recordEvent(context, write, 'enrollment.progressed', {
      enrollmentId: row.id,
      userId: row.user_id,
      courseId: row.course_id,
      progress,
    });
  }
  if (completes) await announceCompletion(context, write, row, now);
  return row;
}

/** Sets the progress of an active enrollment; a completed one is a 409. */
export async function updateEnrollmentProgress(
  context: Context,
  id: string,
  progress: number,
): Promise<EnrollmentView> {
  return transact(context.database, async (write) => {
    const current = await requireEnrollment(write, id);
    return viewEnrollment(await writeProgress(context, write, current, progress));
  });
}

/** Completes an active enrollment at once (progress becomes 100); a completed one is a 409. */
export async function completeEnrollment(context: Context, id: string): Promise<EnrollmentView> {
  return transact(context.database, async (write) => {
    const current = await requireEnrollment(write, id);
    return viewEnrollment(await writeProgress(context, write, current, COMPLETE_PROGRESS));
  });
}

/** Lists enrollments, filtered, in update order. */
export async function listEnrollments(
  context: Pick<AppContext, 'database' | 'clock'>,
  query: EnrollmentListQuery,
): Promise<Page<EnrollmentView>> {
  const window = resolveUpdateWindow(query, context.clock.now());
  let select = context.database.db.selectFrom('enrollments').selectAll();
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  if (query.courseId !== undefined) select = select.where('course_id', '=', query.courseId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const rows = await applyUpdateWindow(select, window, 'enrollments').execute();
  return pageOfWindow(rows, window, viewEnrollment);
}

/** Lists a live user's enrollments, for a learner dashboard; an unknown user is a 404. */
export async function listUserEnrollments(
  context: Pick<AppContext, 'database' | 'clock'>,
  userId: string,
  query: UserEnrollmentListQuery,
): Promise<Page<EnrollmentView>> {
  await getUser(context, userId);
  return listEnrollments(context, { ...query, userId });
}
