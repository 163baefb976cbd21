/**
 * What the client throws: `LyceumApiError` when Lyceum answered with a problem (RFC 9457), and
 * `LyceumNetworkError` when no answer came, after the retries ran out in both cases.
 */

/** One invalid field of a 400 answer. */
export interface ProblemFieldError {
  /** `body`, `query`, `params` or `headers`. */
  location: string;
  /** A JSON pointer to the value, e.g. `/email`. */
  pointer: string;
  message: string;
}

/** The body of every error answer. */
export interface Problem {
  /** A stable URN, e.g. `urn:lyceum:problem:not-found`. */
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

/** Lyceum answered with an error status; the problem body says why. */
export class LyceumApiError extends Error {
  override name = 'LyceumApiError';
  /** The HTTP status. */
  readonly status: number;
  /** The problem type, e.g. `urn:lyceum:problem:conflict`. */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The invalid fields, for a 400. */
  readonly errors: ProblemFieldError[];
  /** The whole problem body, extensions (such as `retryAfter`) included. */
  readonly problem: Problem;
  /** The `x-request-id` of the answer, to quote to an operator. */
  readonly requestId: string | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    problem: Problem,
    requestId: string | undefined,
  ) {
    const fields = (problem.errors ?? []).map((error) => `${error.pointer} ${error.message}`);
    const detail = [problem.detail, ...fields].filter((part) => part !== '').join('; ');
    super(`${method} ${path} answered ${problem.status} ${problem.title}: ${detail}`);
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.problem = problem;
    this.requestId = requestId;
  }
}

/** No answer came (refused, reset, DNS, timeout), even after retrying. */
export class LyceumNetworkError extends Error {
  override name = 'LyceumNetworkError';

  constructor(
    readonly method: string,
    readonly path: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? (cause.cause ?? cause) : cause;
    const text = reason instanceof Error ? reason.message : String(reason);
    super(`${method} ${path} got no answer: ${text}`, { cause });
  }
}

/** Turns any error answer into a problem, also one that is not problem+json (a proxy's 502). */
export function problemFrom(status: number, statusText: string, body: unknown): Problem {
  if (typeof body === 'object' && body !== null) {
    const value = body as Partial<Problem>;
    if (typeof value.type === 'string' && typeof value.status === 'number') {
      return {
        ...value,
        type: value.type,
        title: typeof value.title === 'string' ? value.title : statusText,
        status: value.status,
        detail: typeof value.detail === 'string' ? value.detail : '',
      };
    }
  }
  const text = typeof body === 'string' ? body.slice(0, 200).replace(/\s+/g, ' ').trim() : '';
  return { type: 'about:blank', title: statusText || 'Error', status, detail: text };
}
