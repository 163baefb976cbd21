/**
 * `/v2/subscriptions`: start, read, change, cancel and list subscriptions, and
 * `GET /v2/users/:id/subscriptions` for one user's.
 */
import {
  cancelSubscription,
  createSubscription,
  getSubscription,
  listSubscriptions,
  listUserSubscriptions,
  updateSubscription,
} from '../../learning/subscriptions.js';
import type { ApiServices } from '../app.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import {
  CreateSubscriptionBody,
  ListSubscriptionsQuery,
  ListUserSubscriptionsQuery,
  Subscription,
  UpdateSubscriptionBody,
} from '../schemas/subscriptions.js';
import type { LyceumApp } from '../types.js';

/** Registers the subscription routes on `app`. */
export function subscriptionRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.post(
    '/v2/subscriptions',
    {
      schema: {
        summary: 'Start a subscription for a user',
        description:
          'Records `subscription.created`. A user that does not exist or was deleted is refused with 422 `unknown-user`.',
        tags: ['subscriptions'],
        body: CreateSubscriptionBody,
        response: { 201: Subscription, ...problemResponses(422) },
      },
    },
    async function createSubscriptionRoute(request, reply) {
      return reply.code(201).send(await createSubscription(context, request.body));
    },
  );

  app.get(
    '/v2/subscriptions',
    {
      schema: {
        summary: 'List subscriptions, filtered by user, status, plan and update window',
        tags: ['subscriptions'],
        querystring: ListSubscriptionsQuery,
        response: { 200: PageOf(Subscription), ...problemResponses() },
      },
    },
    async function listSubscriptionsRoute(request) {
      return listSubscriptions(context, request.query);
    },
  );

  app.get(
    '/v2/subscriptions/:id',
    {
      schema: {
        summary: 'Read a subscription',
        tags: ['subscriptions'],
        params: IdParams('subscription'),
        response: { 200: Subscription, ...problemResponses(404) },
      },
    },
    async function getSubscriptionRoute(request) {
      return getSubscription(context, request.params.id);
    },
  );

  app.patch(
    '/v2/subscriptions/:id',
    {
      schema: {
        summary: 'Change the plan or status of a subscription',
        description:
          'Records `subscription.updated` listing the changed fields, or nothing when nothing changed. A canceled subscription answers 409.',
        tags: ['subscriptions'],
        params: IdParams('subscription'),
        body: UpdateSubscriptionBody,
        response: { 200: Subscription, ...problemResponses(404, 409) },
      },
    },
    async function updateSubscriptionRoute(request) {
      return updateSubscription(context, request.params.id, request.body);
    },
  );

  app.post(
    '/v2/subscriptions/:id/cancel',
    {
      schema: {
        summary: 'Cancel a subscription',
        description:
          'Records `subscription.canceled`. Canceling is final; an already canceled subscription answers 409.',
        tags: ['subscriptions'],
        params: IdParams('subscription'),
        response: { 200: Subscription, ...problemResponses(404, 409) },
      },
    },
    async function cancelSubscriptionRoute(request) {
      return cancelSubscription(context, request.params.id);
    },
  );

  app.get(
    '/v2/users/:id/subscriptions',
    {
      schema: {
        summary: "List one user's subscriptions",
        tags: ['subscriptions', 'users'],
        params: IdParams('user'),
        querystring: ListUserSubscriptionsQuery,
        response: { 200: PageOf(Subscription), ...problemResponses(404) },
      },
    },
    async function listUserSubscriptionsRoute(request) {
      return listUserSubscriptions(context, request.params.id, request.query);
    },
  );
}
