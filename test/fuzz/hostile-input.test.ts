/**
 * Hostile input against every operation of the OpenAPI document, found at run time from
 * `GET /v2/openapi.json`. For each operation and each kind of hostility (bodies, query strings,
 * headers, path parameters) fast-check generates requests and checks every answer:
 *
 * - the status is below 500 and the process keeps running;
 * - a 4xx is `application/problem+json` with type, title, status and detail;
 * - a refused request (4xx) changed nothing: the database fingerprint is the same after it.
 *
 * `LYCEUM_FUZZ_SEED` (default 20261203) fixes the generated requests; `LYCEUM_FUZZ_RUNS`
 * (default 25, about 25 s on SQLite and 50 s on PostgreSQL on two cores) is the number of random
 * requests per operation and kind. Each operation derives its own seed from the base seed,
 * printed with any failure together with the shrunk request. A few fixed "edge" requests per
 * operation (a NUL in text, a leap second in dates, a malformed path, deep nesting) run first
 * on every run, whatever the seed.
 *
 * Seed objects (two users, a published course that grants a certificate, an active and a
 * completed enrollment, its certification, a subscription, a webhook endpoint with a delivery
 * and a disposable API key) give the generator real ids to put into paths and bodies. Requests
 * that succeed may change or delete them, so they are created afresh before each operation
 * after any write succeeded, and at once after a DELETE succeeded: a deleted seed would turn
 * every later request of that operation into the same 404 and the deeper code would go
 * untested.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/harness.js';
import {
  databaseFingerprint,
  type Fingerprint,
  fingerprintChanges,
} from './database-fingerprint.js';
import { fetchOpenApiDocument, type Operation, operationsOf } from './openapi-operations.js';
import {
  bodyEdges,
  bodyRequest,
  headerEdges,
  headerRequest,
  pathEdges,
  pathRequest,
  queryEdges,
  queryRequest,
} from './request-arbitraries.js';
import { describePlan, materialize, type RequestPlan } from './request-plan.js';
import type { FuzzContext } from './schema-examples.js';
import { seedObjects } from './seed-objects.js';

function integerFromEnvironment(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not "${text}"`);
  return value;
}

const SEED = integerFromEnvironment('LYCEUM_FUZZ_SEED', 20261203);
const RUNS = integerFromEnvironment('LYCEUM_FUZZ_RUNS', 25);
// Roughly a second per run across all operations on a slow machine, plus room for shrinking.
const TIMEOUT_MS = Math.max(300_000, RUNS * 2_000);

interface Dimension {
  name: string;
  build: (operation: Operation, context: FuzzContext) => fc.Arbitrary<RequestPlan>;
  /** Fixed requests tried first on every run: the ones most likely to hurt. */
  edges: (operation: Operation, context: FuzzContext) => RequestPlan[];
  appliesTo: (operation: Operation) => boolean;
}

const DIMENSIONS: Dimension[] = [
  // A GET's body is never read, so hostile bodies go to every other method.
  { name: 'bodies', build: bodyRequest, edges: bodyEdges, appliesTo: (op) => op.method !== 'GET' },
  { name: 'query strings', build: queryRequest, edges: queryEdges, appliesTo: () => true },
  { name: 'headers', build: headerRequest, edges: headerEdges, appliesTo: () => true },
  {
    name: 'path parameters',
    build: pathRequest,
    edges: pathEdges,
    appliesTo: (op) => op.path.includes('{'),
  },
];

/** A 32-bit seed of its own for each kind and operation, stable while the base seed is. */
function seedFor(dimension: string, operation: Operation): number {
  let hash = SEED | 0;
  for (const char of `${dimension} ${operation.id}`) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  }
  return hash | 0;
}

/** The plan, printed by fast-check as the short line describePlan makes rather than in full. */
function readable(plan: RequestPlan): RequestPlan {
  return Object.defineProperty(plan, fc.toStringMethod, { value: () => describePlan(plan) });
}

/** What is wrong with one answer, if anything, apart from the database check. */
function answerProblems(response: LightMyRequestResponse): string[] {
  const status = response.statusCode;
  if (status >= 500) return [`answered ${status}`];
  if (status < 400) return [];

  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json'))
    return [`a ${status} with content type "${type}"`];
  let body: Record<string, unknown>;
  try {
    body = response.json();
  } catch {
    return [`a ${status} whose body is not JSON`];
  }
  const missing = ['type', 'title', 'detail'].filter((field) => typeof body[field] !== 'string');
  const problems = missing.map((field) => `a ${status} problem without a string "${field}"`);
  if (body.status !== status)
    problems.push(`a ${status} problem whose status is ${String(body.status)}`);
  return problems;
}

describeEachDatabase('hostile input', (h) => {
  const context: FuzzContext = { eventTypes: [] };
  let operations: Operation[] = [];
  let seeds: Record<string, string> = {};
  let seedRound = 0;
  let seedsDirty = false;
  let fingerprint: Fingerprint = {};

  async function reseed(): Promise<void> {
    seeds = await seedObjects(h, ++seedRound);
    seedsDirty = false;
    fingerprint = await databaseFingerprint(h.testDatabase.database);
  }

  beforeAll(async () => {
    operations = operationsOf(await fetchOpenApiDocument(h.app));
    const types = await h.call('GET', '/v2/event-types');
    context.eventTypes = types.body.data.map((entry: { type: string }) => entry.type);
    await reseed();
  });

  /** Sends one request and throws, with the request in the message, if any check fails. */
  async function sendAndCheck(operation: Operation, plan: RequestPlan): Promise<void> {
    const request = materialize(plan, {
      ...seeds,
      'key.admin': h.keys.admin,
      'key.write': h.keys.write,
      'key.read': h.keys.read,
    });
    const response = await h.app.inject(request);
    const problems = answerProblems(response);
    const status = response.statusCode;

    const after = await databaseFingerprint(h.testDatabase.database);
    if (status >= 400 && status < 500) {
      const changes = fingerprintChanges(fingerprint, after);
      if (changes.length > 0)
        problems.push(`refused with ${status}, yet wrote: ${changes.join('; ')}`);
    }
    fingerprint = after;
    if (status < 300 && operation.method !== 'GET') seedsDirty = true;
    if (status < 300 && operation.method === 'DELETE') await reseed();

    if (problems.length > 0) {
      throw new Error(
        `${problems.join('; ')}; the answer began ${JSON.stringify(response.body.slice(0, 300))}`,
      );
    }
  }

  it('sees a write in the database fingerprint, so a partial write cannot pass unnoticed', async () => {
    const before = await databaseFingerprint(h.testDatabase.database);
    const created = await h.call('POST', '/v2/users', {
      body: { email: 'fingerprint@example.com', firstName: 'Finger', lastName: 'Print' },
    });
    expect(created.status).toBe(201);
    const changes = fingerprintChanges(before, await databaseFingerprint(h.testDatabase.database));
    expect(changes.map((line) => line.split(':')[0])).toEqual(
      expect.arrayContaining(['users.count(*)', 'users.max(updated_at)', 'events.max(seq)']),
    );
    fingerprint = await databaseFingerprint(h.testDatabase.database);
  });

  for (const dimension of DIMENSIONS) {
    it(
      `hostile ${dimension.name} never get a 5xx or a partial write (seed ${SEED}, ${RUNS} runs per operation)`,
      async () => {
        const covered = operations.filter(dimension.appliesTo);
        expect(covered.length).toBeGreaterThan(0);
        const failures: string[] = [];
        for (const operation of covered) {
          if (seedsDirty) await reseed();
          const seed = seedFor(dimension.name, operation);
          const plans = dimension.build(operation, context).map(readable);
          const property = fc.asyncProperty(plans, (plan) => sendAndCheck(operation, plan));
          const details = await fc.check(property, {
            seed,
            numRuns: RUNS,
            includeErrorInReport: true,
            examples: dimension.edges(operation, context).map((edge) => [readable(edge)]),
          });
          if (details.failed) {
            failures.push(`${operation.id} (seed ${seed}):\n${fc.defaultReportMessage(details)}`);
          }
        }
        expect(failures, `\n${failures.join('\n\n')}`).toEqual([]);
      },
      TIMEOUT_MS,
    );
  }
});
