/**
 * The commands that talk to a running Lyceum through its REST API (`trigger`, `tail`,
 * `export`), run as real processes against a live Lyceum, as an integrator would run them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LyceumClient } from '../packages/sdk/src/index.js';
import { BIN, runCli } from './support/cli.js';
import { type LiveLyceum, startLiveLyceum } from './support/live-lyceum.js';
import { eventually, type Receiver, startReceiver } from './support/webhook-receiver.js';

/** A running `lyceum` process whose output the test reads as it comes. */
function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output, exited };
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode === null) child.kill(signal);
}

/**
 * A proxy in front of Lyceum that holds one request forever: an export that asks for its second
 * page waits there until the test kills it, right after its first page was saved.
 */
async function holdingProxy(target: string, hold: (url: string) => boolean) {
  const held: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const url = request.url ?? '/';
    if (hold(url)) {
      held.push(url);
      return;
    }
    const answer = await fetch(`${target}${url}`, {
      method: request.method ?? 'GET',
      headers: { authorization: String(request.headers.authorization ?? '') },
    });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    response.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Tests that start several `lyceum` processes side by side get more time on a busy machine. */
const BATCH_TIMEOUT = 120_000;

describe('lyceum trigger, tail and export against a live Lyceum', () => {
  let live: LiveLyceum;
  let client: LyceumClient;
  let env: Record<string, string>;
  let dir: string;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    live = await startLiveLyceum('sqlite');
    client = new LyceumClient({ baseUrl: live.url, apiKey: live.adminKey });
    env = { LYCEUM_URL: live.url, LYCEUM_API_KEY: live.adminKey };
    dir = mkdtempSync(join(tmpdir(), 'lyceum-cli-'));
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await live?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('trigger', () => {
    it(
      'creates the objects behind each event type and reports the events, which are in the feed',
      async () => {
        const cases: Array<[string, string[]]> = [
          ['user.updated', ['user.created', 'user.updated']],
          ['course.unpublished', ['course.created', 'course.published', 'course.unpublished']],
          [
            'certification.issued',
            [
              'user.created',
              'course.created',
              'course.published',
              'enrollment.created',
              'enrollment.progressed',
              'course.completed',
              'certification.issued',
            ],
          ],
          [
            'subscription.canceled',
            ['user.created', 'subscription.created', 'subscription.canceled'],
          ],
        ];
        // Each run is its own process; running them side by side keeps the file fast.
        const results = await Promise.all(
          cases.map(([type]) => runCli(['trigger', type, '--json'], env)),
        );

        const feed: Record<string, string> = {};
        for await (const event of client.events.list.all({ limit: 100 })) {
          feed[event.id] = event.type;
        }
        cases.forEach(([type, expected], index) => {
          const result = results[index]!;
          expect(result.stderr, type).toBe('');
          expect(result.code, type).toBe(0);
          const report = JSON.parse(result.stdout);
          expect(report.type).toBe(type);
          expect(report.events.map((event: { type: string }) => event.type)).toEqual(expected);
          for (const event of report.events) expect(feed[event.id]).toBe(event.type);
          expect(report.steps[0].id).toMatch(/^(usr|crs)_/);
        });
      },
      BATCH_TIMEOUT,
    );

    it('sends webhook.test to the endpoint given with --endpoint', async () => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const endpoint = await client.webhooks.create({ url: receiver.url, eventTypes: ['*'] });

      const result = await runCli(['trigger', 'webhook.test', '--endpoint', endpoint.id], env);

      expect(result.code).toBe(0);
      const eventId = /(evt_\w+)\s+webhook\.test/.exec(result.stdout)?.[1];
      expect(eventId).toBeDefined();
      await receiver.waitForRequests(1);
      expect(receiver.requests[0]!.headers['webhook-id']).toBe(eventId);
      await client.webhooks.delete(endpoint.id);
    });

    it(
      'refuses what it cannot do with one line: exit 2 for usage, 1 for a refused key',
      async () => {
        const cases: Array<[string[], Record<string, string>, RegExp, number?]> = [
          [
            ['trigger', 'webhook.endpoint.disabled'],
            {},
            /cannot be triggered: Lyceum records it only/,
          ],
          [['trigger', 'webhook.test'], {}, /pass --endpoint/],
          [['trigger', 'user.created'], { LYCEUM_URL: '' }, /pass --url or set LYCEUM_URL/],
          [['tail'], { LYCEUM_API_KEY: '' }, /pass --api-key or set LYCEUM_API_KEY/],
          [
            ['export', 'users', '--out', '/tmp/x.json', '--url', 'ftp://x'],
            {},
            /--url must be an http/,
          ],
          [['export', 'badges', '--out', '/tmp/x.json'], {}, /cannot export "badges"/],
          [
            ['trigger', 'user.created'],
            { LYCEUM_API_KEY: 'lyk_wrong' },
            /^lyceum: POST \/v2\/users answered 401 Unauthorized/,
            1,
          ],
        ];
        const results = await Promise.all(
          cases.map(([args, overrides]) => runCli(args, { ...env, ...overrides })),
        );
        cases.forEach(([args, , message, code = 2], index) => {
          const result = results[index]!;
          expect(result.code, args.join(' ')).toBe(code);
          expect(result.stderr).toMatch(message);
          expect(result.stderr.trim().split('\n')).toHaveLength(1);
        });
      },
      BATCH_TIMEOUT,
    );
  });

  describe('tail', () => {
    it('prints events and delivery outcomes that happen after it started', async () => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const endpoint = await client.webhooks.create({
        url: receiver.url,
        eventTypes: ['user.created'],
      });
      const tail = spawnCli(
        ['tail', '--json', '--deliveries', '--types', 'user.created', '--interval', '100'],
        env,
      );
      try {
        await eventually(() => tail.output.stderr.includes('Tailing'), 15_000);
        const user = await client.users.create({
          email: 'tailed@example.com',
          firstName: 'Tailed',
          lastName: 'Live',
        });

        const lines = await eventually(() => {
          const parsed = tail.output.stdout
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line));
          const event = parsed.find((line) => line.type === 'user.created');
          const attempt = parsed.find((line) => line.kind === 'delivery.attempt');
          return event && attempt && { event, attempt };
        }, 10_000);
        expect(lines.event).toMatchObject({ type: 'user.created', data: { userId: user.id } });
        expect(lines.attempt).toMatchObject({
          endpointId: endpoint.id,
          eventId: lines.event.id,
          eventType: 'user.created',
          attempt: 1,
          statusCode: 200,
        });
      } finally {
        stop(tail.child);
      }
      expect(await tail.exited).toBe(0);
      await client.webhooks.delete(endpoint.id);
    });
  });

  describe('export', () => {
    let since: string;
    let until: string;
    let expectedIds: string[];

    beforeAll(async () => {
      await client.users.create({
        email: 'before@example.com',
        firstName: 'Before',
        lastName: 'Window',
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      since = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (let i = 0; i < 7; i++) {
        await client.users.create({
          email: `export-${i}@example.com`,
          firstName: 'Export',
          lastName: `Row "${i}", the ${i}th`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      until = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await client.users.create({
        email: 'after@example.com',
        firstName: 'After',
        lastName: 'Window',
      });

      expectedIds = [];
      for await (const user of client.users.list.all({
        updatedSince: since,
        updatedUntil: until,
      })) {
        expectedIds.push(user.id);
      }
    });

    const window = () => ['--since', since, '--until', until, '--page-size', '2'];

    it('writes a window of users as NDJSON, one object per line', async () => {
      const out = join(dir, 'users.ndjson');
      const result = await runCli(['export', 'users', '--out', out, ...window()], env);

      expect(result.code).toBe(0);
      expect(result.stderr).toBe(`Exported 7 users (${since} to ${until}) to ${out}\n`);
      const rows = readFileSync(out, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows.map((row) => row.id)).toEqual(expectedIds);
      expect(rows[0]).toMatchObject({ firstName: 'Export', lastName: 'Row "0", the 0th' });
      expect(existsSync(`${out}.lyceum-export.json`)).toBe(false);
    });

    it('writes the same window as CSV with a header and quoted fields', async () => {
      const out = join(dir, 'users.csv');
      const result = await runCli(['export', 'users', '--out', out, ...window()], env);

      expect(result.code).toBe(0);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe(
        'id,email,firstName,lastName,externalCustomerId,role,createdAt,updatedAt',
      );
      expect(lines).toHaveLength(8);
      expect(lines[1]).toMatch(
        new RegExp(`^${expectedIds[0]},export-0@example.com,Export,"Row ""0"", the 0th",,learner,`),
      );
    });

    it(
      'resumes an export killed after its first page to exactly the full result',
      async () => {
        const reference = readFileSync(join(dir, 'users.ndjson'), 'utf8');
        const out = join(dir, 'resumed.ndjson');
        // The second page is the first request that carries a cursor.
        const proxy = await holdingProxy(live.url, (url) => url.includes('cursor='));
        try {
          const first = spawnCli(['export', 'users', '--out', out, ...window()], {
            ...env,
            LYCEUM_URL: proxy.url,
          });
          await eventually(() => proxy.held.length === 1, 15_000);
          stop(first.child, 'SIGKILL');
          await first.exited;
        } finally {
          await proxy.close();
        }

        const state = JSON.parse(readFileSync(`${out}.lyceum-export.json`, 'utf8'));
        expect(state).toMatchObject({ resource: 'users', since, until, count: 2 });
        expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(3);
        // A crash in the middle of a write leaves a torn line; the resumed run cuts it off.
        appendFileSync(out, '{"id":"usr_torn","ema');

        const refused = await runCli(['export', 'users', '--out', out, '--since', until], env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/belongs to an export of users/);

        const resumed = await runCli(['export', 'users', '--out', out, ...window()], env);
        expect(resumed.code).toBe(0);
        expect(resumed.stderr).toMatch(/^Resumed and exported 7 users/);
        expect(readFileSync(out, 'utf8')).toBe(reference);
        expect(existsSync(`${out}.lyceum-export.json`)).toBe(false);
      },
      BATCH_TIMEOUT,
    );

    it(
      'exports events and certifications through their own lists',
      async () => {
        const learner = await client.users.create({
          email: 'certified@example.com',
          firstName: 'Certified',
          lastName: 'Learner',
        });
        const course = await client.courses.create({ title: 'Certified', grantsCertificate: true });
        await client.courses.publish(course.id);
        const enrollment = await client.enrollments.create({
          userId: learner.id,
          courseId: course.id,
        });
        await client.enrollments.complete(enrollment.id);
        const expectedCertifications: string[] = [];
        for await (const user of client.users.list.all()) {
          for await (const certification of client.users.certifications.all(user.id)) {
            expectedCertifications.push(certification.id);
          }
        }
        expect(expectedCertifications.length).toBeGreaterThan(0);
        const certifications = join(dir, 'certifications.csv');
        const events = join(dir, 'events.ndjson');

        const [certificationRun, eventRun] = await Promise.all([
          runCli(['export', 'certifications', '--out', certifications, '--page-size', '1'], env),
          runCli(['export', 'events', '--out', events, '--since', since, '--until', until], env),
        ]);

        expect(certificationRun.code).toBe(0);
        const certificationLines = readFileSync(certifications, 'utf8').trimEnd().split('\n');
        expect(certificationLines[0]).toMatch(/^id,userId,courseId,enrollmentId,issuedAt,/);
        expect(certificationLines.slice(1).map((line) => line.split(',')[0])).toEqual(
          expectedCertifications,
        );

        expect(eventRun.code).toBe(0);
        const exported = readFileSync(events, 'utf8')
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line));
        expect(exported.map((event) => event.type)).toEqual(Array(7).fill('user.created'));
        expect(exported.map((event) => event.data.userId)).toEqual(expectedIds);
      },
      BATCH_TIMEOUT,
    );
  });
});
