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
    default:
      return error instanceof SyntaxError
        ? 'The body is not valid JSON.'
        : (error.message ?? 'The request is not valid.');
  }
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandling(app: LyceumApp): void {
  app.setErrorHandler(function handleError(
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const body = toProblem(error);
    if (body.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.debug({ status: body.status, slug: body.type }, 'request refused');
    }
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
