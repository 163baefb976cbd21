/**
 * Every event type Lyceum emits, with the JSON Schema of its `data`. Payloads are lean by
 * design: ids to hydrate through the REST API plus what a receiver needs to decide whether to
 * bother (`changed` fields on updates, the new status on a status change).
 */
import { type Static, type TSchema, Type } from 'typebox';

const Id = (description: string) => Type.String({ description });
const Changed = Type.Array(Type.String(), { description: 'The fields (camelCase) that changed' });

const UserRef = { userId: Id('The user, `usr_…`') };
const CourseRef = { courseId: Id('The course, `crs_…`') };

/** The data schema of each event type, keyed by type. */
export const EVENT_DATA_SCHEMAS = {
  'user.created': Type.Object({ ...UserRef }),
  'user.updated': Type.Object({ ...UserRef, changed: Changed }),
  'user.deleted': Type.Object({ ...UserRef }),
  'course.created': Type.Object({ ...CourseRef }),
  'course.updated': Type.Object({ ...CourseRef, changed: Changed }),
  'course.published': Type.Object({ ...CourseRef }),
  'course.unpublished': Type.Object({ ...CourseRef }),
  'enrollment.created': Type.Object({
    enrollmentId: Id('The enrollment, `enr_…`'),
    ...UserRef,
    ...CourseRef,
  }),
  'enrollment.progressed': Type.Object({
    enrollmentId: Id('The enrollment, `enr_…`'),
    ...UserRef,
    ...CourseRef,
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
  }),
  'course.completed': Type.Object({
    enrollmentId: Id('The enrollment, `enr_…`'),
    ...UserRef,
    ...CourseRef,
  }),
  'certification.issued': Type.Object({
    certificationId: Id('The certification, `cert_…`'),
    ...UserRef,
    ...CourseRef,
  }),
  'certification.revoked': Type.Object({
    certificationId: Id('The certification, `cert_…`'),
    ...UserRef,
    ...CourseRef,
  }),
  'subscription.created': Type.Object({
    subscriptionId: Id('The subscription, `sub_…`'),
    ...UserRef,
    plan: Type.String(),
    status: Type.String(),
  }),
  'subscription.updated': Type.Object({
    subscriptionId: Id('The subscription, `sub_…`'),
    ...UserRef,
    changed: Changed,
  }),
  'subscription.canceled': Type.Object({
    subscriptionId: Id('The subscription, `sub_…`'),
    ...UserRef,
  }),
  'webhook.test': Type.Object({
    endpointId: Id('The endpoint the test was sent to, `whk_…`'),
  }),
  'webhook.endpoint.disabled': Type.Object({
    endpointId: Id('The endpoint that was disabled, `whk_…`'),
    reason: Type.String({ description: 'Why it was disabled' }),
  }),
} satisfies Record<string, TSchema>;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export type EventData<T extends EventType> = Static<(typeof EVENT_DATA_SCHEMAS)[T]>;

/** What each event type announces, for `GET /v2/event-types` and the docs. */
export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'user.created': 'A user was provisioned.',
  'user.updated': 'A user’s profile changed; `changed` lists the fields.',
  'user.deleted': 'A user was deleted.',
  'course.created': 'A course was created as a draft.',
  'course.updated': 'A course’s details changed; `changed` lists the fields.',
  'course.published': 'A course joined the catalog.',
  'course.unpublished': 'A course left the catalog.',
  'enrollment.created': 'A learner was enrolled in a course.',
  'enrollment.progressed': 'A learner’s progress in a course changed.',
  'course.completed': 'A learner completed a course.',
  'certification.issued': 'A certificate was issued on completion of a course that grants one.',
  'certification.revoked': 'A certificate was revoked.',
  'subscription.created': 'A subscription was started.',
  'subscription.updated': 'A subscription’s plan or status changed; `changed` lists the fields.',
  'subscription.canceled': 'A subscription was canceled.',
  'webhook.test': 'A test event sent to one endpoint on request.',
  'webhook.endpoint.disabled':
    'A webhook endpoint was disabled, by its receiver (410 Gone) or after failing for too long.',
};

export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

/** Whether `value` names an event type. */
export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_DATA_SCHEMAS, value);
}

/** The JSON Schema of a whole envelope of one type, as `GET /v2/event-types` shows it. */
export function envelopeSchema(type: EventType): TSchema {
  return Type.Object({
    id: Type.String({ description: 'The event id, `evt_…`; also the `webhook-id` header' }),
    type: Type.Literal(type),
    timestamp: Type.String({ format: 'date-time' }),
    data: EVENT_DATA_SCHEMAS[type],
  });
}
