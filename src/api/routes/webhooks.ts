/**
 * `/v2/webhooks` (admin): create, read, change and delete webhook endpoints, rotate their
 * secret and send them a test event.
 */
import { Type } from 'typebox';
import { AddressGuard } from '../../webhooks/address-guard.js';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  sendTestEvent,
  updateEndpoint,
} from '../../webhooks/endpoints.js';
import type { ApiServices } from '../app.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  ListWebhooksQuery,
  RotatedSecret,
  TestEventAccepted,
  UpdateWebhookBody,
  WebhookEndpoint,
} from '../schemas/webhooks.js';
import type { LyceumApp } from '../types.js';

export function webhookRoutes(app: LyceumApp, { context }: ApiServices): void {
  // One guard per app; the dispatcher keeps its own for the check at send time.
  const guard = new AddressGuard({
    allowedCidrs: context.config.webhooks.allowedCidrs,
    allowHttp: context.config.webhooks.allowHttp,
  });

  app.post(
    '/v2/webhooks',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Create a webhook endpoint; its secret is in this answer only',
        tags: ['webhooks'],
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookEndpoint, ...problemResponses(422) },
      },
    },
    async function createWebhookRoute(request, reply) {
      const created = await createEndpoint(context, guard, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v2/webhooks',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'List webhook endpoints, newest first',
        tags: ['webhooks'],
        querystring: ListWebhooksQuery,
        response: { 200: PageOf(WebhookEndpoint), ...problemResponses() },
      },
    },
    async function listWebhooksRoute(request) {
      return listEndpoints(context, request.query);
    },
  );

  app.get(
    '/v2/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Read a webhook endpoint',
        tags: ['webhooks'],
        params: IdParams('webhook'),
        response: { 200: WebhookEndpoint, ...problemResponses(404) },
      },
    },
    async function getWebhookRoute(request) {
      return getEndpoint(context, request.params.id);
    },
  );

  app.patch(
    '/v2/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Change a webhook endpoint; enabling it clears why it was disabled',
        tags: ['webhooks'],
        params: IdParams('webhook'),
        body: UpdateWebhookBody,
        response: { 200: WebhookEndpoint, ...problemResponses(404, 422) },
      },
    },
    async function updateWebhookRoute(request) {
      return updateEndpoint(context, guard, request.params.id, request.body);
    },
  );

  app.delete(
    '/v2/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Delete a webhook endpoint; its pending deliveries fail, its log stays',
        tags: ['webhooks'],
        params: IdParams('webhook'),
        response: { 204: Type.Null(), ...problemResponses(404) },
      },
    },
    async function deleteWebhookRoute(request, reply) {
      await deleteEndpoint(context, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v2/webhooks/:id/rotate-secret',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Replace the signing secret; the old one also signs during the grace period',
        tags: ['webhooks'],
        params: IdParams('webhook'),
        response: { 200: RotatedSecret, ...problemResponses(404) },
      },
    },
    async function rotateWebhookSecretRoute(request) {
      return rotateEndpointSecret(context, request.params.id);
    },
  );

  app.post(
    '/v2/webhooks/:id/test',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Send a webhook.test event to this endpoint alone',
        tags: ['webhooks'],
        params: IdParams('webhook'),
        response: { 202: TestEventAccepted, ...problemResponses(404, 409) },
      },
    },
    async function testWebhookRoute(request, reply) {
      const accepted = await sendTestEvent(context, request.params.id);
      return reply.code(202).send(accepted);
    },
  );
}
