/**
 * Request and response schemas of the courses resource.
 */
import { Type } from 'typebox';
import { SLUG_MAX_LENGTH } from '../../learning/course-slug.js';
import { COURSE_STATUSES } from '../../learning/courses.js';
import { IdOf, NullableTimestamp, PageQuery, Text, Timestamp, WindowQuery } from './common.js';

const Title = Text(200, 1);
const Slug = Type.String({
  pattern: '^[a-z0-9-]+$',
  minLength: 1,
  maxLength: SLUG_MAX_LENGTH,
  description: 'Lowercase letters, digits and hyphens; unique among courses',
});
const Description = Text(10_000);
const GrantsCertificate = Type.Boolean({
  description: 'Whether completing the course issues a certification',
});
// `const: null` rather than `type: 'null'`, and tried first: the API coerces types, and a
// null type would turn 0, false or "" into null (never expires) instead of refusing them.
const ValidityDays = Type.Unsafe<number | null>({
  anyOf: [{ const: null }, { type: 'integer', minimum: 1, maximum: 36_500 }],
  description: 'How many days a certification stays valid; null: it never expires',
});
const Status = Type.Enum(COURSE_STATUSES);

/** A course in answers. */
export const Course = Type.Object(
  {
    id: IdOf('course'),
    title: Type.String(),
    slug: Type.String(),
    description: Type.String(),
    status: Type.String({ description: 'draft, published or unpublished' }),
    grantsCertificate: Type.Boolean(),
    certificateValidityDays: Type.Union([Type.Integer(), Type.Null()]),
    publishedAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Course' },
);

/** The body of `POST /v2/content/course`. */
export const CreateCourseBody = Type.Object(
  {
    title: Title,
    slug: Type.Optional(Slug),
    description: Type.Optional(Description),
    grantsCertificate: Type.Optional(GrantsCertificate),
    certificateValidityDays: Type.Optional(ValidityDays),
  },
  { additionalProperties: false },
);

/** The body of `PATCH /v2/content/course/:id`; absent fields stay as they are. */
export const UpdateCourseBody = Type.Object(
  {
    title: Type.Optional(Title),
    slug: Type.Optional(Slug),
    description: Type.Optional(Description),
    grantsCertificate: Type.Optional(GrantsCertificate),
    certificateValidityDays: Type.Optional(ValidityDays),
  },
  { additionalProperties: false },
);

/** The query of the course list; `status=published` is the catalog. */
export const ListCoursesQuery = Type.Object(
  {
    ...PageQuery,
    ...WindowQuery,
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
