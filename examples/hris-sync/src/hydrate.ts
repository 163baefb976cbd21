/**
 * What the HRIS does with each event: read the full records through the REST API (the webhook
 * only says what changed) and write them into its table. Hydrating the current state rather
 * than trusting the event makes the order of arrival irrelevant: an old event applied late
 * still writes the latest truth.
 */
import type { LyceumClient, LyceumEvent } from '@lyceum/sdk';
import type { HrisStore } from './hris-store.js';

/** The event types this receiver acts on; others are acknowledged and ignored. */
export const HANDLED_EVENT_TYPES = [
  'enrollment.created',
  'course.completed',
  'user.updated',
  'course.updated',
] as const;

/** Applies one event to the store. */
export async function applyEvent(
  event: LyceumEvent,
  client: LyceumClient,
  store: HrisStore,
): Promise<void> {
  switch (event.type) {
    case 'enrollment.created':
    case 'course.completed':
      return syncEnrollment(event.data.enrollmentId, client, store);
    case 'user.updated': {
      const user = await client.users.get(event.data.userId);
      return store.updatePerson(user.id, `${user.firstName} ${user.lastName}`, user.email);
    }
    case 'course.updated': {
      const course = await client.courses.get(event.data.courseId);
      return store.updateCourseTitle(course.id, course.title);
    }
    default:
      return;
  }
}

async function syncEnrollment(
  enrollmentId: string,
  client: LyceumClient,
  store: HrisStore,
): Promise<void> {
  const enrollment = await client.enrollments.get(enrollmentId);
  const [user, course] = await Promise.all([
    client.users.get(enrollment.userId),
    client.courses.get(enrollment.courseId),
  ]);
  store.upsertCompletion({
    enrollmentId: enrollment.id,
    userId: user.id,
    courseId: course.id,
    name: `${user.firstName} ${user.lastName}`,
    email: user.email,
    courseTitle: course.title,
    completedAt: enrollment.completedAt,
  });
}
