/**
 * Calls to Lyceum's API with the signed-in key as a Bearer token. Paths are resolved against
 * the console's own URL, so the console also works when a proxy mounts Lyceum under a prefix.
 */
import { errorMessage } from '../../src/shared/errors.js';
import type { Problem } from './types.js';

/** A failed call: the problem Lyceum answered with, or a network failure (status 0). */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

/** Query values; empty ones are left out. */
export type Query = Record<string, string | number | undefined | null>;

/** Resolves an API path such as `/v2/ping` against the console's location. */
export function apiUrl(path: string, query: Query = {}): string {
  const url = new URL(`..${path}`, document.baseURI);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      url.searchParams.set(name, String(value));
    }
  }
  return url.toString();
}

async function problemOf(response: Response): Promise<Problem | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    return (await response.json()) as Problem;
  } catch {
    return undefined;
  }
}

function messageFor(status: number, problem: Problem | undefined): string {
  if (problem?.detail) return problem.detail;
  return `Lyceum answered ${status} without an explanation.`;
}

/** A client bound to one key. */
export class ApiClient {
  constructor(
    private readonly key: string,
    /** Called when Lyceum no longer accepts the key (revoked, or the database was reset). */
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  /** Sends one request; resolves with the parsed JSON answer (undefined for a 204). */
  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(apiUrl(path, query), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'Lyceum did not answer. Check that it is running, then try again.');
    }

    if (!response.ok) {
      const problem = await problemOf(response);
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(response.status, messageFor(response.status, problem), problem);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** GET `path` with `query`. */
  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  /** POST `body` (or nothing) to `path`. */
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** PATCH `path` with `body`. */
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  /** DELETE `path`. */
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

/** The message to show for any failure of a call. */
export function failureMessage(error: unknown): string {
  return errorMessage(error);
}
