/**
 * Errors as RFC 9457 problem details. Route and service code throws an ApiProblem; the error
 * handler turns it, and every framework error, into `application/problem+json`.
 */

export interface FieldError {
  /** Where the bad value was: `body`, `query`, `params` or `headers`. */
  location: string;
  /** JSON pointer to the value within that location, e.g. `/email`. */
  pointer: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A failure the caller can act on, with the HTTP status it maps to. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';

  constructor(
    readonly status: number,
    /** A short, stable slug: the last part of the problem `type`. */
    readonly slug: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toBody(): ProblemBody {
    return problemBody(this.status, this.slug, this.message, this.extensions);
  }
}

/** Builds a problem body. */
export function problemBody(
  status: number,
  slug: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): ProblemBody {
  return {
    type: `urn:lyceum:problem:${slug}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extensions,
  };
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ApiProblem(400, 'invalid-request', detail, errors ? { errors } : {});

export const notFound = (what: string, id: string) =>
  new ApiProblem(404, 'not-found', `${what} ${id} does not exist`);

export const conflict = (detail: string) => new ApiProblem(409, 'conflict', detail);

export const unprocessable = (slug: string, detail: string) => new ApiProblem(422, slug, detail);
