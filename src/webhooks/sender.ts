/**
 * Sends one webhook attempt over HTTP and reports what happened, never throwing: a dispatcher
 * records every attempt, and a failure is just another result to record.
 *
 * Connections are pooled and kept alive per origin, so a busy endpoint does not pay a TCP and
 * TLS handshake per event. Every new connection resolves its host through the address guard,
 * which means the guard judges the very address the socket connects to.
 */
import { StringDecoder } from 'node:string_decoder';
import { setImmediate as afterPendingCallbacks } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { type Clock, systemClock } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import type { AddressGuard } from './address-guard.js';
import { errorKindOf } from './network-errors.js';
import type { ErrorKind } from './outcomes.js';
import { parseRetryAfter } from './retry-schedule.js';

/** One attempt to send. */
export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one attempt produced; `statusCode` is null exactly when no answer came. */
export interface SendResult {
  statusCode: number | null;
  /** Response headers, names in lower case, repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The first `responseBodyCapBytes` bytes of the response body, as UTF-8. */
  body: string;
  durationMs: number;
  errorKind: ErrorKind | null;
  /** What went wrong, for the attempt record; also set when only reading the body failed. */
  errorMessage: string | null;
  /** The Retry-After header in milliseconds from now, when the receiver sent one. */
  retryAfterMs: number | null;
}

/** How the sender is set up. */
export interface WebhookSenderOptions {
  /** The whole attempt (connect, answer and body) must finish within this. */
  timeoutMs: number;
  responseBodyCapBytes: number;
  guard: AddressGuard;
  /** For durations and Retry-After dates. */
  clock?: Clock;
  /** Connections kept per origin. */
  connections?: number;
}

/**
 * After the kept part of a body, up to this much more is read and dropped so the connection
 * can be reused; a longer body costs its connection instead of our memory or time.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** URLs whose verdict is kept; past this many the set starts again (endpoints are few). */
const ALLOWED_URLS_KEPT = 10_000;

/** Sends webhook attempts through one pool of kept-alive connections; close it on shutdown. */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly guard: AddressGuard;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly bodyCapBytes: number;
  private readonly allowedUrls = new Set<string>();

  constructor(options: WebhookSenderOptions) {
    this.guard = options.guard;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs;
    this.bodyCapBytes = options.responseBodyCapBytes;
    this.agent = new Agent({
      connections: options.connections ?? 32,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { lookup: options.guard.lookup, timeout: options.timeoutMs },
    });
  }

  /** POSTs the request once. Redirects are returned as they are, never followed. */
  async send(outgoing: SendRequest): Promise<SendResult> {
    const startedAt = this.clock.now();
    const elapsed = () => Math.max(0, this.clock.now() - startedAt);

    try {
      // The lookup hook never runs for IP-literal hosts, so those are judged here.
      this.checkUrl(outgoing.url);

      const signal = AbortSignal.timeout(this.timeoutMs);
      const response = await request(outgoing.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        signal,
      });
      const headers = flattenHeaders(response.headers);
      const read = await this.readCapped(response.body, signal);
      const durationMs = elapsed();

      // undici returns the connection to its pool a tick after the body ends; waiting for that
      // lets the caller's next send to this origin reuse it instead of opening another.
      await afterPendingCallbacks();
      return {
        statusCode: response.statusCode,
        headers,
        body: read.text,
        durationMs,
        errorKind: null,
        errorMessage: read.error && `the response body could not be read: ${read.error}`,
        retryAfterMs: parseRetryAfter(headers['retry-after'], this.clock.now()),
      };
    } catch (thrown) {
      return this.noAnswer(toError(thrown), elapsed());
    }
  }

  /**
   * Judges the URL before any name is resolved. The verdict depends only on the URL and the
   * guard's settings, which are fixed for the sender's life, so a URL that passed once passes
   * without being parsed again; a refused one is judged (and refused) every time.
   */
  private checkUrl(url: string): void {
    if (this.allowedUrls.has(url)) return;
    this.guard.checkUrlWithoutResolving(url);
    if (this.allowedUrls.size >= ALLOWED_URLS_KEPT) this.allowedUrls.clear();
    this.allowedUrls.add(url);
  }

  /** Closes pooled connections once requests in flight are done. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Aborts requests in flight (each ends as a network error) and closes every connection. */
  async destroy(): Promise<void> {
    await this.agent.destroy();
  }

  /**
   * Keeps the first bytes of a body up to the cap and drains a little more for connection
   * reuse. Leaving the loop early destroys the stream, which closes its connection.
   */
  private async readCapped(
    body: Dispatcher.ResponseData['body'],
    signal: AbortSignal,
  ): Promise<{ text: string; error: string | null }> {
    const decoder = new StringDecoder('utf8');
    const stopAfter = Math.max(this.bodyCapBytes, DRAIN_LIMIT_BYTES);
    let text = '';
    let kept = 0;
    let seen = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (kept < this.bodyCapBytes) {
          const part = chunk.subarray(0, this.bodyCapBytes - kept);
          text += decoder.write(part);
          kept += part.length;
        }
        seen += chunk.length;
        if (seen >= stopAfter || signal.aborted) break;
      }
      return { text, error: null };
    } catch (thrown) {
      const error = toError(thrown);
      return { text, error: this.describe(error, errorKindOf(error)) };
    }
  }

  private noAnswer(error: Error, durationMs: number): SendResult {
    const errorKind = errorKindOf(error);
    return {
      statusCode: null,
      headers: {},
      body: '',
      durationMs,
      errorKind,
      errorMessage: this.describe(error, errorKind),
      retryAfterMs: null,
    };
  }

  private describe(error: Error, kind: ErrorKind): string {
    if (kind === 'timeout') return `no complete answer within ${this.timeoutMs} ms`;
    if (kind === 'address_refused') return error.message;
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
}

function flattenHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
