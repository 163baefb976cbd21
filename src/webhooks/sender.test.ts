import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { AddressGuard, type ResolvedAddress } from './address-guard.js';
import { type SendResult, WebhookSender } from './sender.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

interface Receiver {
  url: string;
  port: number;
  /** Sockets the server accepted, to tell a reused connection from a new one. */
  connections: number;
  requests: Array<{
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: string;
  }>;
}

const openServers: Array<Server | NetServer> = [];
const openSenders: WebhookSender[] = [];

afterEach(async () => {
  await Promise.all(openSenders.splice(0).map((sender) => sender.close()));
  for (const server of openServers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close();
  }
});

async function listen(server: Server | NetServer): Promise<number> {
  openServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A real HTTP server on 127.0.0.1 that records what it receives. */
async function receiver(handler: Handler): Promise<Receiver> {
  const state: Omit<Receiver, 'url' | 'port'> = { connections: 0, requests: [] };
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
      });
      handler(request, body, response);
    });
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  const port = await listen(server);
  return Object.assign(state, { port, url: `http://127.0.0.1:${port}/hooks` });
}

function sender(
  options: {
    allowedCidrs?: string[];
    resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
    timeoutMs?: number;
    cap?: number;
    clock?: ManualClock;
  } = {},
): WebhookSender {
  const guard = new AddressGuard({
    allowedCidrs: options.allowedCidrs ?? ['127.0.0.0/8'],
    allowHttp: true,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const created = new WebhookSender({
    timeoutMs: options.timeoutMs ?? 5000,
    responseBodyCapBytes: options.cap ?? 64,
    guard,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  openSenders.push(created);
  return created;
}

const payload = (url: string) => ({
  url,
  headers: { 'content-type': 'application/json', 'webhook-id': 'evt_1' },
  body: '{"id":"evt_1"}',
});

function expectNoAnswer(result: SendResult, errorKind: SendResult['errorKind']): void {
  expect(result).toMatchObject({ statusCode: null, errorKind, body: '', headers: {} });
  expect(result.errorMessage).toEqual(expect.any(String));
}

describe('WebhookSender', () => {
  it('POSTs the body and headers and captures the answer', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200, { 'x-receiver': 'yes', 'set-cookie': ['a=1', 'b=2'] });
      response.end('thanks');
    });

    const result = await sender().send(payload(target.url));

    expect(result).toMatchObject({
      statusCode: 200,
      body: 'thanks',
      errorKind: null,
      errorMessage: null,
      retryAfterMs: null,
    });
    expect(result.headers).toMatchObject({ 'x-receiver': 'yes', 'set-cookie': 'a=1, b=2' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(target.requests).toEqual([
      expect.objectContaining({ method: 'POST', url: '/hooks', body: '{"id":"evt_1"}' }),
    ]);
    expect(target.requests[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'evt_1',
    });
  });

  it('returns a 500 with its body', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(500).end('boom');
    });
    const result = await sender().send(payload(target.url));
    expect(result).toMatchObject({ statusCode: 500, body: 'boom', errorKind: null });
  });

  it('keeps only the first bytes of an endless body and returns without waiting for its end', async () => {
    let written = 0;
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return;
        }
      };
      response.on('drain', pump);
      pump();
    });

    // The timeout is far away: only reading up to the cap and then stopping returns cleanly.
    const result = await sender({ cap: 100, timeoutMs: 20_000 }).send(payload(target.url));

    expect(result).toMatchObject({ statusCode: 200, errorKind: null, errorMessage: null });
    expect(result.body).toBe('x'.repeat(100));
    expect(written).toBeGreaterThanOrEqual(16 * 1024);
  });

  it('cuts a body at the cap without splitting a character', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200).end('ééé');
    });
    const result = await sender({ cap: 5 }).send(payload(target.url));
    expect(result.body).toBe('éé');
  });

  it('times out when the receiver never answers', async () => {
    const target = await receiver(() => {});
    const result = await sender({ timeoutMs: 200 }).send(payload(target.url));
    expectNoAnswer(result, 'timeout');
    expect(result.errorMessage).toMatch(/within 200 ms/);
  });

  it('keeps the status when the body stalls after the answer', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    });
    const result = await sender({ timeoutMs: 200 }).send(payload(target.url));
    expect(result).toMatchObject({ statusCode: 200, body: 'partial', errorKind: null });
    expect(result.errorMessage).toMatch(/could not be read/);
  });

  it('reports connection_reset when the receiver drops the connection', async () => {
    const server = createNetServer((socket) => {
      socket.once('data', () => socket.destroy());
    });
    const port = await listen(server);
    const result = await sender().send(payload(`http://127.0.0.1:${port}/hooks`));
    expectNoAnswer(result, 'connection_reset');
  });

  it('reports connection_refused for a closed port', async () => {
    const probe = createNetServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const result = await sender().send(payload(`http://127.0.0.1:${port}/hooks`));
    expectNoAnswer(result, 'connection_refused');
  });

  it('returns a redirect as it is, without following it', async () => {
    const target = await receiver((request, _body, response) => {
      if (request.url === '/hooks') response.writeHead(302, { location: '/elsewhere' }).end();
      else response.writeHead(200).end('followed');
    });
    const result = await sender().send(payload(target.url));
    expect(result).toMatchObject({ statusCode: 302, errorKind: null });
    expect(result.headers.location).toBe('/elsewhere');
    expect(target.requests.map((request) => request.url)).toEqual(['/hooks']);
  });

  it('reads Retry-After as seconds or as an HTTP-date against the clock', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));
    const target = await receiver((request, _body, response) => {
      const retryAfter =
        request.headers['webhook-id'] === 'evt_1' ? '7' : 'Sun, 01 Mar 2026 12:00:30 GMT';
      response.writeHead(request.headers['webhook-id'] === 'evt_1' ? 429 : 503, {
        'retry-after': retryAfter,
      });
      response.end();
    });
    const send = sender({ clock });

    const seconds = await send.send(payload(target.url));
    expect(seconds).toMatchObject({ statusCode: 429, retryAfterMs: 7000 });

    const dated = await send.send({ ...payload(target.url), headers: { 'webhook-id': 'evt_2' } });
    expect(dated).toMatchObject({ statusCode: 503, retryAfterMs: 30_000 });
  });

  it('reuses one kept-alive connection for consecutive sends', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(204).end();
    });
    const send = sender();
    expect((await send.send(payload(target.url))).statusCode).toBe(204);
    expect((await send.send(payload(target.url))).statusCode).toBe(204);
    expect(target.requests).toHaveLength(2);
    expect(target.connections).toBe(1);
  });

  it('refuses at connect time a name that resolves to a range not allowed', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200).end();
    });
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const send = sender({ allowedCidrs: [], resolve });

    const result = await send.send(payload(`http://loopback.test:${target.port}/hooks`));

    expectNoAnswer(result, 'address_refused');
    expect(result.errorMessage).toMatch(/resolves to 127\.0\.0\.1, a loopback address/);
    expect(target.connections).toBe(0);
  });

  it('connects through the guard when the resolved address is allowed', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200).end('via name');
    });
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await sender({ resolve }).send(
      payload(`http://receiver.test:${target.port}/hooks`),
    );
    expect(result).toMatchObject({ statusCode: 200, body: 'via name' });
    expect(target.requests[0]?.headers.host).toBe(`receiver.test:${target.port}`);
  });

  it('refuses IP-literal and badly formed URLs before connecting', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200).end();
    });
    const send = sender({ allowedCidrs: [] });

    for (const url of [
      target.url,
      `http://2130706433:${target.port}/hooks`,
      `http://[::ffff:127.0.0.1]:${target.port}/hooks`,
      `http://user:pw@example.com:${target.port}/hooks`,
      'not a url',
    ]) {
      expectNoAnswer(await send.send(payload(url)), 'address_refused');
    }
    expect(target.connections).toBe(0);
  });

  it('reports dns for a name that does not exist', async () => {
    const result = await sender().send(payload('https://no-such-host.invalid/hooks'));
    expectNoAnswer(result, 'dns');
  });

  it('reports tls when https meets a server that does not speak TLS', async () => {
    const target = await receiver((_request, _body, response) => {
      response.writeHead(200).end();
    });
    const result = await sender().send(payload(`https://127.0.0.1:${target.port}/hooks`));
    expectNoAnswer(result, 'tls');
    expect(target.requests).toHaveLength(0);
  });
});

describe('WebhookSender over TLS', () => {
  // A self-signed certificate made once for this test (valid for a century, CN=127.0.0.1);
  // committed so the test needs no tool at run time.
  const certificate = {
    key: readFileSync(new URL('../../test/fixtures/self-signed-key.pem', import.meta.url)),
    cert: readFileSync(new URL('../../test/fixtures/self-signed-cert.pem', import.meta.url)),
  };

  it('reports tls for a self-signed certificate', async () => {
    const server = createHttpsServer(certificate, (_request, response) => {
      response.writeHead(200).end();
    });
    let requests = 0;
    server.on('request', () => {
      requests += 1;
    });
    const port = await listen(server);

    const result = await sender().send(payload(`https://127.0.0.1:${port}/hooks`));

    expectNoAnswer(result, 'tls');
    expect(result.errorMessage).toMatch(/self[- ]signed/i);
    expect(requests).toBe(0);
  });
});
