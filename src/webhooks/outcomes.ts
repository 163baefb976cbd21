/**
 * What one delivery attempt means for the delivery: done, try again, try again when the
 * receiver asked, or stop sending to the endpoint. The whole policy is the two tables below.
 */

/** How an attempt is treated. */
export type Outcome = 'success' | 'retry' | 'retry-after' | 'disable';

/** Why an attempt got no HTTP answer at all. */
export type ErrorKind =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'address_refused'
  | 'network';

/** One row of the status table: statuses from `from` to `to` (inclusive) get `outcome`. */
export interface StatusRule {
  from: number;
  to: number;
  outcome: Outcome;
  why: string;
}

/** Status codes in order; the first row that covers a status decides. */
export const STATUS_RULES: readonly StatusRule[] = [
  {
    from: 200,
    to: 299,
    outcome: 'success',
    why: 'any 2xx means the receiver took the event; the body is not inspected',
  },
  {
    from: 410,
    to: 410,
    outcome: 'disable',
    why: 'Gone is the receiver saying the endpoint no longer exists: stop sending to it at all',
  },
  {
    from: 429,
    to: 429,
    outcome: 'retry-after',
    why: 'Too Many Requests: the receiver is alive but busy, and may say when to come back',
  },
  {
    from: 503,
    to: 503,
    outcome: 'retry-after',
    why: 'Service Unavailable: a planned or temporary outage that may say when it ends',
  },
  {
    from: 0,
    to: Number.POSITIVE_INFINITY,
    outcome: 'retry',
    why: 'every other status, 1xx, 3xx (redirects are not followed), 4xx and 5xx alike, is a failure that a fix on the receiver may cure within the retry window',
  },
];

/** Every way of getting no answer, with its treatment. */
export const ERROR_RULES: Readonly<Record<ErrorKind, { outcome: Outcome; why: string }>> = {
  timeout: { outcome: 'retry', why: 'a slow receiver may be fast again later' },
  connection_refused: { outcome: 'retry', why: 'the receiver may be restarting or deploying' },
  connection_reset: { outcome: 'retry', why: 'a dropped connection says nothing lasting' },
  dns: { outcome: 'retry', why: 'names can be fixed and DNS outages pass' },
  tls: { outcome: 'retry', why: 'an expired or wrong certificate is usually renewed soon' },
  address_refused: {
    outcome: 'retry',
    why: 'an operator may allow the range, or the name may point elsewhere again',
  },
  network: { outcome: 'retry', why: 'an unclassified failure is treated like a transient one' },
};

/** What the sender learned from one attempt. */
export interface AttemptResult {
  /** The HTTP status, or null when no answer came. */
  statusCode: number | null;
  errorKind: ErrorKind | null;
}

/**
 * How an attempt is treated. A status, when there is one, decides: once the receiver answered,
 * a failure while reading the rest of its body does not change what it said.
 */
export function classifyAttempt(result: AttemptResult): Outcome {
  const { statusCode, errorKind } = result;
  if (statusCode !== null) {
    const rule = STATUS_RULES.find((row) => statusCode >= row.from && statusCode <= row.to);
    return rule?.outcome ?? 'retry';
  }
  return ERROR_RULES[errorKind ?? 'network'].outcome;
}
