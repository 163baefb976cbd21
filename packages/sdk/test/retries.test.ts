/**
 * The client's retries against a real HTTP server on 127.0.0.1 that answers as each test
 * scripts it. An injected sleep records the waits instead of waiting, so nothing here depends
 * on time.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LyceumApiError, LyceumClient, LyceumNetworkError } from '../src/index.js';

interface Scripted {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

type Answer = (response: ServerResponse) => void;

const servers: Scripted[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function problem(status: number, slug: string, headers: Record<string, string> = {}): Answer {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
    response.end(
      JSON.stringify({ type: `urn:lyceum:problem:${slug}`, title: slug, status, detail: slug }),
    );
  };
}

function json(status: number, body: unknown): Answer {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

const hangUp: Answer = (response) => response.socket?.destroy();

/** Answers the requests in turn with `answers`, repeating the last one. */
async function scriptedServer(...answers: Answer[]): Promise<Scripted> {
  const requests: Scripted['requests'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answers[Math.min(requests.length - 1, answers.length - 1)]!(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scripted: Scripted = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(scripted);
  return scripted;
}

function clientFor(server: Scripted, maxRetries = 3) {
  const sleeps: number[] = [];
  const client = new LyceumClient({
    baseUrl: server.url,
    apiKey: 'lyk_test',
    maxRetries,
    retryBaseMs: 100,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { client, sleeps };
}

const USER = { id: 'usr_1', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };

describe('LyceumClient retries', () => {
  it('retries a create through 429 and 503 with the same Idempotency-Key, honouring Retry-After', async () => {
    const server = await scriptedServer(
      problem(429, 'rate-limited', { 'retry-after': '7' }),
      problem(503, 'unavailable'),
      json(201, USER),
    );
    const { client, sleeps } = clientFor(server);

    const user = await client.users.create({
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });

    expect(user).toEqual(USER);
    expect(server.requests).toHaveLength(3);
    const keys = server.requests.map((request) => request.headers['idempotency-key']);
    expect(keys[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    expect(server.requests.every((request) => request.body === server.requests[0]!.body)).toBe(
      true,
    );
    // 7 s as Retry-After asked; then the second backoff step: 200 ms with jitter at its midpoint.
    expect(sleeps).toEqual([7000, 150]);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer lyk_test');
  });

  it('gives up after maxRetries and throws the last problem', async () => {
    const server = await scriptedServer(problem(503, 'unavailable'));
    const { client, sleeps } = clientFor(server, 2);

    const error = await client.users.get('usr_1').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LyceumApiError);
    expect(error).toMatchObject({
      status: 503,
      type: 'urn:lyceum:problem:unavailable',
      method: 'GET',
      path: '/v2/users/usr_1',
    });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([75, 150]);
  });

  it('retries a connection that drops without an answer, then reports it when it keeps dropping', async () => {
    const flaky = await scriptedServer(hangUp, json(200, { valid: true }));
    expect(await clientFor(flaky).client.ping()).toEqual({ valid: true });
    expect(flaky.requests).toHaveLength(2);

    const dead = await scriptedServer(hangUp);
    const error = await clientFor(dead, 1)
      .client.ping()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LyceumNetworkError);
    expect(dead.requests).toHaveLength(2);
  });

  it('does not retry a 4xx, nor a 429 whose Retry-After is longer than it would wait', async () => {
    const invalid = await scriptedServer(problem(400, 'invalid-request'));
    const first = clientFor(invalid);
    await expect(first.client.users.get('usr_1')).rejects.toMatchObject({ status: 400 });
    expect(invalid.requests).toHaveLength(1);

    const limited = await scriptedServer(problem(429, 'rate-limited', { 'retry-after': '3600' }));
    const second = clientFor(limited);
    await expect(second.client.users.list()).rejects.toMatchObject({ status: 429 });
    expect(limited.requests).toHaveLength(1);
    expect(second.sleeps).toEqual([]);
  });

  it('retries the 409 of a first request with the same key still running', async () => {
    const server = await scriptedServer(problem(409, 'idempotency-key-in-use'), json(200, USER));
    const { client } = clientFor(server);

    await client.courses.publish('crs_1', { idempotencyKey: 'publish-crs_1' });

    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      'publish-crs_1',
      'publish-crs_1',
    ]);
  });

  it('sends no Idempotency-Key with reads, and encodes paths and queries', async () => {
    const server = await scriptedServer(
      json(200, { data: [], pageInfo: { cursor: null, hasMore: false } }),
    );
    const { client } = clientFor(server);

    await client.certifications.get('cert_1/../x', { at: new Date('2030-01-02T03:04:05.000Z') });
    await client.users.enrollments('usr_1', { status: 'completed', limit: 5 });

    expect(server.requests.map((request) => request.url)).toEqual([
      '/v2/certifications/cert_1%2F..%2Fx?at=2030-01-02T03%3A04%3A05.000Z',
      '/v2/users/usr_1/enrollments?status=completed&limit=5',
    ]);
    expect(server.requests[0]!.headers['idempotency-key']).toBeUndefined();
  });
});
