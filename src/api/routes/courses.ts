/**
 * `/v2/content/course`: create, read, update, list, publish and unpublish courses. Published
 * courses form the catalog (`?status=published`).
 */
import {
  createCourse,
  getCourse,
  listCourses,
  publishCourse,
  unpublishCourse,
  updateCourse,
} from '../../learning/courses.js';
import type { ApiServices } from '../app.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import {
  Course,
  CreateCourseBody,
  ListCoursesQuery,
  UpdateCourseBody,
} from '../schemas/courses.js';
import type { LyceumApp } from '../types.js';

/** Registers the course routes. */
export function courseRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.post(
    '/v2/content/course',
    {
      schema: {
        summary: 'Create a course as a draft',
        tags: ['courses'],
        body: CreateCourseBody,
        response: { 201: Course, ...problemResponses(409) },
      },
    },
    async function createCourseRoute(request, reply) {
      return reply.code(201).send(await createCourse(context, request.body));
    },
  );

  app.get(
    '/v2/content/course',
    {
      schema: {
        summary:
          'List courses, filtered by status and update window; published ones are the catalog',
        tags: ['courses'],
        querystring: ListCoursesQuery,
        response: { 200: PageOf(Course), ...problemResponses() },
      },
    },
    async function listCoursesRoute(request) {
      return listCourses(context, request.query);
    },
  );

  app.get(
    '/v2/content/course/:id',
    {
      schema: {
        summary: 'Read a course',
        tags: ['courses'],
        params: IdParams('course'),
        response: { 200: Course, ...problemResponses(404) },
      },
    },
    async function getCourseRoute(request) {
      return getCourse(context, request.params.id);
    },
  );

  app.patch(
    '/v2/content/course/:id',
    {
      schema: {
        summary: 'Update a course; certificate settings apply to later completions',
        tags: ['courses'],
        params: IdParams('course'),
        body: UpdateCourseBody,
        response: { 200: Course, ...problemResponses(404, 409) },
      },
    },
    async function updateCourseRoute(request) {
      return updateCourse(context, request.params.id, request.body);
    },
  );

  app.post(
    '/v2/content/course/:id/publish',
    {
      schema: {
        summary: 'Publish a draft or unpublished course into the catalog',
        tags: ['courses'],
        params: IdParams('course'),
        response: { 200: Course, ...problemResponses(404, 409) },
      },
    },
    async function publishCourseRoute(request) {
      return publishCourse(context, request.params.id);
    },
  );

  app.post(
    '/v2/content/course/:id/unpublish',
    {
      schema: {
        summary: 'Take a published course out of the catalog; enrolled learners keep access',
        tags: ['courses'],
        params: IdParams('course'),
        response: { 200: Course, ...problemResponses(404, 409) },
      },
    },
    async function unpublishCourseRoute(request) {
      return unpublishCourse(context, request.params.id);
    },
  );
}
