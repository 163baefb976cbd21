/**
 * `/v2/enrollments`: enroll, read, list, move progress and complete; plus
 * `/v2/users/:id/enrollments`, a learner's own list for a dashboard.
 */
import {
  completeEnrollment,
  createEnrollment,
  getEnrollment,
  listEnrollments,
  listUserEnrollments,
  updateEnrollmentProgress,
} from '../../learning/enrollments.js';
import type { ApiServices } from '../app.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import {
  CreateEnrollmentBody,
  Enrollment,
  ListEnrollmentsQuery,
  ListUserEnrollmentsQuery,
  UpdateEnrollmentBody,
} from '../schemas/enrollments.js';
import type { LyceumApp } from '../types.js';

/** Registers the enrollment routes, a user's enrollment list included. */
export function enrollmentRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.post(
    '/v2/enrollments',
    {
      schema: {
        summary: 'Enroll a live user in a published course',
        tags: ['enrollments'],
        body: CreateEnrollmentBody,
        response: { 201: Enrollment, ...problemResponses(409, 422) },
      },
    },
    async function createEnrollmentRoute(request, reply) {
      return reply.code(201).send(await createEnrollment(context, request.body));
    },
  );

  app.get(
    '/v2/enrollments',
    {
      schema: {
        summary: 'List enrollments, filtered by user, course, status and update window',
        tags: ['enrollments'],
        querystring: ListEnrollmentsQuery,
        response: { 200: PageOf(Enrollment), ...problemResponses() },
      },
    },
    async function listEnrollmentsRoute(request) {
      return listEnrollments(context, request.query);
    },
  );

  app.get(
    '/v2/enrollments/:id',
    {
      schema: {
        summary: 'Read an enrollment',
        tags: ['enrollments'],
        params: IdParams('enrollment'),
        response: { 200: Enrollment, ...problemResponses(404) },
      },
    },
    async function getEnrollmentRoute(request) {
      return getEnrollment(context, request.params.id);
    },
  );

  app.patch(
    '/v2/enrollments/:id',
    {
      schema: {
        summary: 'Set the progress of an active enrollment; 100 completes the course',
        tags: ['enrollments'],
        params: IdParams('enrollment'),
        body: UpdateEnrollmentBody,
        response: { 200: Enrollment, ...problemResponses(404, 409) },
      },
    },
    async function updateEnrollmentRoute(request) {
      return updateEnrollmentProgress(context, request.params.id, request.body.progress);
    },
  );

  app.post(
    '/v2/enrollments/:id/complete',
    {
      schema: {
        summary: 'Complete an active enrollment, issuing a certification if the course grants one',
        tags: ['enrollments'],
        params: IdParams('enrollment'),
        response: { 200: Enrollment, ...problemResponses(404, 409) },
      },
    },
    async function completeEnrollmentRoute(request) {
      return completeEnrollment(context, request.params.id);
    },
  );

  app.get(
    '/v2/users/:id/enrollments',
    {
      schema: {
        summary: "List a user's enrollments",
        tags: ['enrollments', 'users'],
        params: IdParams('user'),
        querystring: ListUserEnrollmentsQuery,
        response: { 200: PageOf(Enrollment), ...problemResponses(404) },
      },
    },
    async function listUserEnrollmentsRoute(request) {
      return listUserEnrollments(context, request.params.id, request.query);
    },
  );
}
