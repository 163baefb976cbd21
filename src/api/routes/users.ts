/**
 * `/v2/users`: provision, read, update, delete and list users.
 */
import { Type } from 'typebox';
import { createUser, deleteUser, listUsers, readUser, updateUser } from '../../learning/users.js';
import type { ApiServices } from '../app.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import { CreateUserBody, ListUsersQuery, UpdateUserBody, User } from '../schemas/users.js';
import type { LyceumApp } from '../types.js';

export function userRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.post(
    '/v2/users',
    {
      schema: {
        summary: 'Create a user, or update the one with this email when upsert is true',
        tags: ['users'],
        body: CreateUserBody,
        response: { 200: User, 201: User, ...problemResponses(409) },
      },
    },
    async function createUserRoute(request, reply) {
      const { user, created } = await createUser(context, request.body);
      return reply.code(created ? 201 : 200).send(user);
    },
  );

  app.get(
    '/v2/users',
    {
      schema: {
        summary: 'List users, filtered by email, external id and update window',
        tags: ['users'],
        querystring: ListUsersQuery,
        response: { 200: PageOf(User), ...problemResponses() },
      },
    },
    async function listUsersRoute(request) {
      return listUsers(context, request.query);
    },
  );

  app.get(
    '/v2/users/:id',
    {
      schema: {
        summary: 'Read a user',
        tags: ['users'],
        params: IdParams('user'),
        response: { 200: User, ...problemResponses(404) },
      },
    },
    // Not async: on SQLite the user is read at once, and answering without a promise in
    // between is measurably cheaper on the busiest read of the API.
    function getUserRoute(request) {
      return readUser(context, request.params.id);
    },
  );

  app.patch(
    '/v2/users/:id',
    {
      schema: {
        summary: 'Update a user',
        tags: ['users'],
        params: IdParams('user'),
        body: UpdateUserBody,
        response: { 200: User, ...problemResponses(404, 409) },
      },
    },
    async function updateUserRoute(request) {
      return updateUser(context, request.params.id, request.body);
    },
  );

  app.delete(
    '/v2/users/:id',
    {
      schema: {
        summary: 'Delete a user',
        tags: ['users'],
        params: IdParams('user'),
        response: { 204: Type.Null(), ...problemResponses(404) },
      },
    },
    async function deleteUserRoute(request, reply) {
      await deleteUser(context, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
