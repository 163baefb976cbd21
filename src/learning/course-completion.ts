/**
 * What completing a course does, whichever call got the learner to 100%: the enrollment is
 * marked completed, course.completed is recorded and, when the course grants a certificate, one
 * is issued. All of it happens in the caller's transaction, so a receiver of course.completed
 * can already read the certification it announces.
 */
import type { AppContext } from '../context.js';
import type { EnrollmentTable } from '../db/schema.js';
import type { WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { issueCertification } from './certifications.js';

/**
 * Announces the completion of `enrollment`, already written as completed at `completedAt`, and
 * issues its certification when the course grants one at this moment.
 */
export async function announceCompletion(
  context: Pick<AppContext, 'clock' | 'ids' | 'deliverySignal'>,
  write: WriteContext,
  enrollment: EnrollmentTable,
  completedAt: number,
): Promise<void> {
  await recordEvent(context, write, 'course.completed', {
    enrollmentId: enrollment.id,
    userId: enrollment.user_id,
    courseId: enrollment.course_id,
  });

  const course = await write.trx
    .selectFrom('courses')
    .select(['grants_certificate', 'certificate_validity_days'])
    .where('id', '=', enrollment.course_id)
    .executeTakeFirstOrThrow();
  if (course.grants_certificate === 1) {
    await issueCertification(context, write, enrollment, course, completedAt);
  }
}
