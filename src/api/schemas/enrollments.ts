/**
 * Request and response schemas of the enrollments resource.
 */
import { Type } from 'typebox';
import { ENROLLMENT_STATUSES } from '../../learning/enrollments.js';
import { IdOf, NullableTimestamp, PageQuery, Timestamp, WindowQuery } from './common.js';

const Status = Type.Enum(ENROLLMENT_STATUSES);

/** An enrollment in answers. */
export const Enrollment = Type.Object(
  {
    id: IdOf('enrollment'),
    userId: IdOf('user'),
    courseId: IdOf('course'),
    status: Type.String({ description: 'active or completed' }),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    enrolledAt: Timestamp,
    completedAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Enrollment' },
);

/** The body of `POST /v2/enrollments`. */
export const CreateEnrollmentBody = Type.Object(
  {
    userId: IdOf('user', 'A live user'),
    courseId: IdOf('course', 'A published course'),
  },
  { additionalProperties: false },
);

/** The body of `PATCH /v2/enrollments/:id`. */
export const UpdateEnrollmentBody = Type.Object(
  {
    progress: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Percent done; 100 completes the course',
    }),
  },
  { additionalProperties: false },
);

/** The query of a user's enrollments. */
export const ListUserEnrollmentsQuery = Type.Object(
  {
    ...PageQuery,
    ...WindowQuery,
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

/** The query of the enrollment list. */
export const ListEnrollmentsQuery = Type.Object(
  {
    ...ListUserEnrollmentsQuery.properties,
    userId: Type.Optional(IdOf('user')),
    courseId: Type.Optional(IdOf('course')),
  },
  { additionalProperties: false },
);
