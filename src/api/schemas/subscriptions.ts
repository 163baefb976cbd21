/**
 * Request and response schemas of the subscriptions resource.
 */
import { Type } from 'typebox';
import {
  PLAN_PATTERN,
  SETTABLE_STATUSES,
  SUBSCRIPTION_STATUSES,
} from '../../learning/subscriptions.js';
import { IdOf, NullableTimestamp, PageQuery, Timestamp, WindowQuery } from './common.js';

const Plan = Type.String({
  pattern: PLAN_PATTERN,
  maxLength: 64,
  description: 'The plan, a lowercase slug such as `pro` or `team.annual`',
});
const SettableStatus = Type.Union(
  SETTABLE_STATUSES.map((status) => Type.Literal(status)),
  { description: '`canceled` is reached only through the cancel route' },
);
const Status = Type.Union(SUBSCRIPTION_STATUSES.map((status) => Type.Literal(status)));

/** A subscription in an answer. */
export const Subscription = Type.Object(
  {
    id: IdOf('subscription'),
    userId: IdOf('user'),
    plan: Type.String(),
    status: Type.String({ description: '`active`, `past_due` or `canceled`' }),
    canceledAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Subscription' },
);

/** The body of `POST /v2/subscriptions`. */
export const CreateSubscriptionBody = Type.Object(
  {
    userId: IdOf('user', 'The subscriber, a live user'),
    plan: Plan,
    status: Type.Optional(SettableStatus),
  },
  { additionalProperties: false },
);

/** The body of `PATCH /v2/subscriptions/:id`. */
export const UpdateSubscriptionBody = Type.Object(
  {
    plan: Type.Optional(Plan),
    status: Type.Optional(SettableStatus),
  },
  { additionalProperties: false },
);

/** Filters of a user's own subscription list. */
const SubscriptionFilters = {
  ...PageQuery,
  ...WindowQuery,
  status: Type.Optional(Status),
  plan: Type.Optional(Plan),
};

/** The query of `GET /v2/users/:id/subscriptions`. */
export const ListUserSubscriptionsQuery = Type.Object(SubscriptionFilters, {
  additionalProperties: false,
});

/** The query of `GET /v2/subscriptions`. */
export const ListSubscriptionsQuery = Type.Object(
  { ...SubscriptionFilters, userId: Type.Optional(IdOf('user')) },
  { additionalProperties: false },
);
