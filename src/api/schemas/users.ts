/**
 * Request and response schemas of the users resource.
 */
import { Type } from 'typebox';
import { USER_ROLES } from '../../learning/users.js';
import { IdOf, PageQuery, Text, Timestamp, WindowQuery } from './common.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Name = Text(200, 1);
const ExternalId = Type.Union([Text(200, 1), Type.Null()]);
const Role = Type.Union(USER_ROLES.map((role) => Type.Literal(role)));

export const User = Type.Object(
  {
    id: IdOf('user'),
    email: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    externalCustomerId: Type.Union([Type.String(), Type.Null()]),
    role: Type.String(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'User' },
);

export const CreateUserBody = Type.Object(
  {
    email: Email,
    firstName: Name,
    lastName: Name,
    externalCustomerId: Type.Optional(ExternalId),
    role: Type.Optional(Role),
    upsert: Type.Optional(
      Type.Boolean({ description: 'Update the live user with this email instead of refusing' }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    email: Type.Optional(Email),
    firstName: Type.Optional(Name),
    lastName: Type.Optional(Name),
    externalCustomerId: Type.Optional(ExternalId),
    role: Type.Optional(Role),
  },
  { additionalProperties: false },
);

export const ListUsersQuery = Type.Object(
  {
    ...PageQuery,
    ...WindowQuery,
    email: Type.Optional(Type.String({ maxLength: 254 })),
    externalCustomerId: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
