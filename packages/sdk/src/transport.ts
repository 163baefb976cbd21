/**
 * Sending one request to Lyceum: the key, JSON in and out, an `Idempotency-Key` on every POST
 * (the same on each retry, so a retried create never creates twice), and retries with a bound.
 */
import { LyceumApiError, LyceumNetworkError, problemFrom } from './errors.js';
import { backoffMs, type RetryTiming, retryDelayFor } from './retry-delay.js';
import { randomUuid, resolveWebCrypto, type WebCrypto } from './web-crypto.js';

/** How a client reaches Lyceum. */
export interface LyceumClientOptions {
  /** Where Lyceum answers, e.g. `https://lyceum.example.com`. */
  baseUrl: string;
  /** An API key (`lyk_…`). */
  apiKey: string;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Retries after the first attempt, for 429, 5xx and network errors; 3 by default. */
  maxRetries?: number;
  /** The first backoff, doubled on each retry; 500 ms by default. */
  retryBaseMs?: number;
  /** The longest backoff and the longest `Retry-After` waited for; 30 s by default. */
  maxRetryDelayMs?: number;
  /** How to wait; a timer by default. Tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter; `Math.random` by default. */
  random?: () => number;
  /** Web Crypto, where it is not a global (Node.js 18); for Idempotency-Key UUIDs. */
  crypto?: WebCrypto;
}

/** Per-call settings. */
export interface RequestOptions {
  /** The Idempotency-Key of a POST; a random UUID by default. */
  idempotencyKey?: string;
  /** Aborts the request, and any wait between retries once the wait ends. */
  signal?: AbortSignal;
}

/** Query values; a Date is sent as ISO 8601. */
export type QueryValue = string | number | boolean | Date | null | undefined;

/** One request, as the generated operations describe it. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The path as the OpenAPI document spells it, e.g. `/v2/users/{id}`. */
  path: string;
  params?: Record<string, string>;
  query?: object;
  body?: unknown;
}

/** Sends requests; one per client. */
export class HttpTransport {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly maxRetries: number;
  private readonly timing: RetryTiming;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: LyceumClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new TypeError(`baseUrl must be an http(s) URL, got "${options.baseUrl}"`);
    }
    if (options.apiKey === '') throw new TypeError('apiKey must not be empty');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.maxRetries = options.maxRetries ?? 3;
    this.timing = {
      retryBaseMs: options.retryBaseMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      random: options.random ?? Math.random,
    };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Sends `spec`, retrying what may be retried, and resolves with the parsed answer. */
  async request<T>(spec: RequestSpec, options: RequestOptions = {}): Promise<T> {
    const path = fillPath(spec.path, spec.params ?? {});
    const url = `${this.baseUrl}${path}${queryString(spec.query)}`;
    const init = this.requestInit(spec, options);

    for (let retry = 0; ; retry++) {
      let response: Response;
      try {
        response = await this.fetch(url, init);
      } catch (error) {
        if (options.signal?.aborted || retry >= this.maxRetries) {
          throw new LyceumNetworkError(spec.method, path, error);
        }
        await this.sleep(backoffMs(retry, this.timing));
        continue;
      }

      if (response.ok) return (await readBody(response)) as T;
      const problem = problemFrom(response.status, response.statusText, await readBody(response));
      const delay = retryDelayFor(
        response.status,
        problem.type,
        response.headers.get('retry-after'),
        retry,
        this.timing,
      );
      if (delay === undefined || retry >= this.maxRetries || options.signal?.aborted) {
        const requestId = response.headers.get('x-request-id') ?? undefined;
        throw new LyceumApiError(spec.method, path, problem, requestId);
      }
      await this.sleep(delay);
    }
  }

  private requestInit(spec: RequestSpec, options: RequestOptions): RequestInit {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.apiKey}`,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.method === 'POST') {
      headers['idempotency-key'] =
        options.idempotencyKey ?? randomUuid(resolveWebCrypto(this.options.crypto));
    }
    return {
      method: spec.method,
      headers,
      ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }
}

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`${name} is required`);
    return encodeURIComponent(value);
  });
}

function queryString(query: object | undefined): string {
  if (query === undefined) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query) as Array<[string, QueryValue]>) {
    if (value === undefined || value === null) continue;
    search.set(name, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
