/**
 * Request and response schemas of the certifications resource.
 */
import { Type } from 'typebox';
import { CERTIFICATION_STATUSES } from '../../learning/certification-status.js';
import { IdOf, NullableTimestamp, PageQuery, Text, Timestamp, WindowQuery } from './common.js';

/** A certification in answers, with its status at one instant. */
export const Certification = Type.Object(
  {
    id: IdOf('certification'),
    userId: IdOf('user'),
    courseId: IdOf('course'),
    enrollmentId: IdOf('enrollment'),
    issuedAt: Timestamp,
    expiresAt: Type.Union([Timestamp, Type.Null()], { description: 'null: never expires' }),
    revokedAt: NullableTimestamp,
    revocationReason: Type.Union([Type.String(), Type.Null()]),
    status: Type.Enum(CERTIFICATION_STATUSES, {
      description: 'The status at the instant asked (lists: now)',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Certification' },
);

/** A certification as it stood at an instant. */
export const CertificationAt = Type.Object({
  ...Certification.properties,
  at: Type.String({ format: 'date-time', description: 'The instant the status is for' }),
});

/** The query of `GET /v2/certifications/:id`. */
export const CertificationAtQuery = Type.Object(
  {
    at: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'The instant to answer for, ISO 8601 (default now); the same instant, the same answer',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The body of `POST /v2/certifications/:id/revoke`; it may be left out. */
export const RevokeCertificationBody = Type.Object(
  { reason: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

/** The query of a user's certification list. */
export const ListUserCertificationsQuery = Type.Object(
  { ...PageQuery, ...WindowQuery },
  { additionalProperties: false },
);
