/**
 * The delivery log (admin): every delivery of an endpoint, each with its attempts, and the
 * replay of one delivery or of a whole time range.
 */
import {
  getDelivery,
  listEndpointDeliveries,
  recoverEndpoint,
  resendDelivery,
} from '../../webhooks/deliveries.js';
import type { ApiServices } from '../app.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import {
  Delivery,
  DeliveryWithAttempts,
  ListDeliveriesQuery,
  RecoverBody,
  RecoverResult,
} from '../schemas/deliveries.js';
import type { LyceumApp } from '../types.js';

export function deliveryRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.get(
    '/v2/webhooks/:id/deliveries',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'List the deliveries of an endpoint, newest first',
        tags: ['deliveries'],
        params: IdParams('webhook'),
        querystring: ListDeliveriesQuery,
        response: { 200: PageOf(Delivery), ...problemResponses(404) },
      },
    },
    async function listDeliveriesRoute(request) {
      return listEndpointDeliveries(context, request.params.id, request.query);
    },
  );

  app.get(
    '/v2/deliveries/:id',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Read a delivery with every attempt',
        tags: ['deliveries'],
        params: IdParams('delivery'),
        response: { 200: DeliveryWithAttempts, ...problemResponses(404) },
      },
    },
    async function getDeliveryRoute(request) {
      return getDelivery(context, request.params.id);
    },
  );

  app.post(
    '/v2/deliveries/:id/resend',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Send a finished delivery again now, with a fresh retry window',
        tags: ['deliveries'],
        params: IdParams('delivery'),
        response: { 202: Delivery, ...problemResponses(404, 409) },
      },
    },
    async function resendDeliveryRoute(request, reply) {
      const delivery = await resendDelivery(context, request.params.id);
      return reply.code(202).send(delivery);
    },
  );

  app.post(
    '/v2/webhooks/:id/recover',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Queue again every failed or missed event of a time range (at most 31 days)',
        tags: ['deliveries'],
        params: IdParams('webhook'),
        body: RecoverBody,
        response: { 202: RecoverResult, ...problemResponses(404, 409) },
      },
    },
    async function recoverWebhookRoute(request, reply) {
      const result = await recoverEndpoint(context, request.params.id, request.body);
      return reply.code(202).send(result);
    },
  );
}
