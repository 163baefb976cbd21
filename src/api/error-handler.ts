/**
 * Every failure leaves as `application/problem+json`. Bad input of any kind (schema violations,
 * malformed JSON, wrong content type, oversized bodies) gets a 4xx that says what is wrong; only
 * a genuine fault is a 500, and its details stay in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, type FieldError, type ProblemBody, problemBody } from './problem.js';
import type { LyceumApp } from './types.js';

const LOCATIONS: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function fieldErrors(error: FastifyError): FieldError[] {
  const location = LOCATIONS[error.validationContext ?? 'body'] ?? 'body';
  return ((error.validation ?? []) as AjvIssue[]).slice(0, 20).map((issue) => {
    const extra =
      issue.keyword === 'additionalProperties'
        ? `/${String(issue.params?.additionalProperty ?? '')}`
        : issue.keyword === 'required'
          ? `/${String(issue.params?.missingProperty ?? '')}`
          : '';
    const pointer = `${issue.instancePath ?? ''}${extra}` || '/';
    const message =
      issue.keyword === 'additionalProperties'
        ? 'is not a known field'
        : (issue.message ?? 'is not valid');
    return { location, pointer, message };
  });
}

// PostgreSQL refuses to store or even compare some characters, the NUL character (U+0000)
// above all: 22021 is character_not_in_repertoire, 22P05 untranslatable_character. Such a value
// can only have come from the request, so the caller hears about it instead of getting a 500.
const REFUSED_CHARACTER_CODES = new Set(['22021', '22P05']);

function isRefusedCharacter(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (REFUSED_CHARACTER_CODES.has(String((current as { code?: unknown }).code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps any error to a status and problem body. */
export function toProblem(error: unknown): ProblemBody {
  if (error instanceof ApiProblem) return error.toBody();

  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError as FastifyError);
    const first = errors[0];
    const detail = first
      ? `The request is not valid: ${first.location} ${first.pointer} ${first.message}.`
      : 'The request is not valid.';
    return problemBody(400, 'invalid-request', detail, { errors });
  }

  if (isRefusedCharacter(error)) {
    return problemBody(
      400,
      'invalid-request',
      'A text value holds a character Lyceum cannot store, such as the NUL character (U+0000); remove it and retry.',
    );
  }

  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return problemBody(status, slugFor(fastifyError.code), clientMessage(fastifyError));
  }
  return problemBody(
    500,
    'internal',
    'Lyceum could not complete the request because of an internal fault; it has been logged.',
  );
}

function slugFor(code: string | undefined): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body-too-large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported-media-type';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'uri-too-long';
    default:
      return 'invalid-request';
  }
}

function clientMessage(error: Partial<FastifyError>): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than 1 MiB; send less data per request.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'The body must be JSON: send it with "Content-Type: application/json".';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The body is empty although Content-Type is application/json; send a JSON object.';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'The body is not valid JSON.';
    case 'FST_ERR_BAD_URL':
      return 'The path is not valid: it holds a malformed percent-encoding (%XX) or invalid UTF-8.';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'A path parameter is too long; ids are at most 40 characters.';
    default:
      return error instanceof SyntaxError
        ? 'The body is not valid JSON.'
        : (error.message ?? 'The request is not valid.');
  }
}

/**
 * The `frameworkErrors` option of the Fastify constructor: the router refuses a malformed
 * percent-encoding or an overlong path parameter before any route or hook runs, and without
 * this its answer would be Fastify's own JSON rather than a problem.
 */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const body = toProblem(error);
  request.log.debug({ status: body.status, slug: body.type }, 'request refused by the router');
  reply
    .header('x-request-id', request.id)
    .code(body.status)
    .type('application/problem+json')
    .send(body);
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandling(app: LyceumApp): void {
  app.setErrorHandler(function handleError(
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const body = toProblem(error);
    if (body.status >= 500 && !(error instanceof ApiProblem)) {
      request.log.error({ err: error }, 'request failed');
    } else if (body.status >= 500) {
      request.log.warn({ status: body.status, slug: body.type }, 'request refused for now');
    } else {
      request.log.debug({ status: body.status, slug: body.type }, 'request refused');
    }
    // A problem that says when to retry says it in the header too (RFC 9110, Retry-After).
    if (typeof body.retryAfter === 'number') reply.header('retry-after', body.retryAfter);
    return reply.code(body.status).type('application/problem+json').send(body);
  });

  app.setNotFoundHandler(function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
    const body = problemBody(
      404,
      'not-found',
      `There is no route ${request.method} ${request.url.split('?')[0]}; see /v2/openapi.json.`,
    );
    return reply.code(404).type('application/problem+json').send(body);
  });
}
