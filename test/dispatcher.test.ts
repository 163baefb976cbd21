/**
 * The dispatcher against real databases and real receivers, with time driven by a ManualClock:
 * leases, shutdown, endpoints that went away, auto-disable, 410 Gone, secret rotation and
 * per-endpoint concurrency, smaller while an endpoint is failing.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type WebhookSettings } from '../src/config.js';
import { createContext } from '../src/context.js';
import { openDatabase } from '../src/db/database.js';
import { toIso } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { AddressGuard } from '../src/webhooks/address-guard.js';
import type { DeliverySender } from '../src/webhooks/delivery-attempt.js';
import { Dispatcher } from '../src/webhooks/dispatcher.js';
import { WebhookSender } from '../src/webhooks/sender.js';
import { generateSecret } from '../src/webhooks/signing.js';
import { DIALECTS } from './support/database.js';
import {
  attemptsOf,
  deliveriesOf,
  emitEvent,
  endpointRow,
  insertEndpoint,
  onlyDeliveryOf,
  useWebhookRig,
} from './support/webhook-fixtures.js';
import {
  answer,
  answerAfter,
  blackHole,
  eventually,
  inTurn,
  type Receiver,
  type Responder,
  startReceiver,
} from './support/webhook-receiver.js';

const NO_JITTER = () => 0.5;

for (const dialect of DIALECTS) {
  describe(`dispatcher [${dialect}]`, () => {
    const rig = useWebhookRig(dialect, { timeoutMs: 500 });
    let defaults: WebhookSettings;
    let dispatcher: Dispatcher;
    const receivers: Receiver[] = [];

    beforeAll(() => {
      defaults = { ...rig.context.config.webhooks };
    });
    beforeEach(() => {
      dispatcher = new Dispatcher(rig.context, { random: NO_JITTER });
    });
    afterEach(async () => {
      await dispatcher.stop();
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
      rig.context.config.webhooks = { ...defaults };
    });

    const db = () => rig.context.database.db;
    const settings = (changes: Partial<WebhookSettings>) => {
      rig.context.config.webhooks = { ...defaults, ...changes };
    };

    async function receiver(respond: Responder = answer(200)): Promise<Receiver> {
      const started = await startReceiver(respond);
      receivers.push(started);
      return started;
    }

    async function disabledEvents(endpointId: string) {
      const rows = await db()
        .selectFrom('events')
        .selectAll()
        .where('type', '=', 'webhook.endpoint.disabled')
        .orderBy('seq')
        .execute();
      return rows
        .map((row) => JSON.parse(row.data) as { endpointId: string; reason: string })
        .filter((data) => data.endpointId === endpointId);
    }

    async function attemptCounts(): Promise<Record<string, number>> {
      const metric = await rig.context.metrics.registry
        .getSingleMetric('lyceum_webhook_attempts_total')
        ?.get();
      return Object.fromEntries(
        (metric?.values ?? []).map((value) => [String(value.labels.outcome), value.value]),
      );
    }

    /** Moves the clock to each retry of the endpoint's delivery until it is no longer pending. */
    async function walkRetries(endpointId: string, deliveryIndex = 0): Promise<void> {
      for (;;) {
        const delivery = (await deliveriesOf(rig.context, endpointId))[deliveryIndex]!;
        if (delivery.status !== 'pending') return;
        rig.clock.set(delivery.next_attempt_at!);
        await dispatcher.runDue();
      }
    }

    it('leaves a live lease alone and takes the work back once the lease runs out', async () => {
      const hook = await receiver();
      const endpoint = await insertEndpoint(rig.context, hook.url);
      await emitEvent(rig.context);
      const { id } = await onlyDeliveryOf(rig.context, endpoint.id);
      // A dispatcher that claimed the delivery and crashed.
      await db()
        .updateTable('deliveries')
        .set({ lease_owner: 'crashed', lease_expires_at: rig.clock.now() + 30_000 })
        .where('id', '=', id)
        .execute();

      expect(await dispatcher.runDue()).toBe(0);
      rig.clock.advance(29_999);
      expect(await dispatcher.runDue()).toBe(0);
      expect(hook.requests).toHaveLength(0);

      rig.clock.advance(1);
      expect(await dispatcher.runDue()).toBe(1);
      expect(hook.requests).toHaveLength(1);
      expect(await onlyDeliveryOf(rig.context, endpoint.id)).toMatchObject({
        status: 'succeeded',
        attempt_count: 1,
        lease_owner: null,
        lease_expires_at: null,
      });
    });

    it('writes nothing when its lease was taken over while the request was out', async () => {
      const hook = await receiver();
      const endpoint = await insertEndpoint(rig.context, hook.url);
      await emitEvent(rig.context);
      const real = new WebhookSender({
        timeoutMs: 1000,
        responseBodyCapBytes: 1024,
        guard: new AddressGuard({ allowedCidrs: ['127.0.0.0/8'], allowHttp: true }),
      });
      // The lease runs out mid-request and another dispatcher claims the delivery.
      const stalling: DeliverySender = {
        async send(request) {
          await db()
            .updateTable('deliveries')
            .set({ lease_owner: 'other', lease_expires_at: rig.clock.now() + 60_000 })
            .execute();
          return real.send(request);
        },
      };
      const stalled = new Dispatcher(rig.context, { sender: stalling, random: NO_JITTER });

      expect(await stalled.runDue()).toBe(1);
      await real.close();

      expect(hook.requests).toHaveLength(1);
      const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
      expect(delivery).toMatchObject({ status: 'pending', attempt_count: 0, lease_owner: 'other' });
      expect(await attemptsOf(rig.context, delivery.id)).toHaveLength(0);
    });

    it('releases the leases of unfinished attempts when it stops', async () => {
      const hook = await receiver(inTurn(blackHole, answer(200)));
      const endpoint = await insertEndpoint(rig.context, hook.url);
      dispatcher.start();
      await emitEvent(rig.context);
      await hook.waitForRequests(1);

      const leased = await onlyDeliveryOf(rig.context, endpoint.id);
      expect(leased.lease_owner).toBe(dispatcher.owner);
      await dispatcher.stop(50);
      expect(await onlyDeliveryOf(rig.context, endpoint.id)).toMatchObject({
        status: 'pending',
        lease_owner: null,
        lease_expires_at: null,
        attempt_count: 0,
      });

      // Another dispatcher takes the work at once; the abandoned attempt left no trace.
      const successor = new Dispatcher(rig.context, { random: NO_JITTER });
      expect(await successor.runDue()).toBe(1);
      await successor.stop();
      const delivered = await onlyDeliveryOf(rig.context, endpoint.id);
      expect(delivered).toMatchObject({ status: 'succeeded', attempt_count: 1 });
      expect(await attemptsOf(rig.context, delivered.id)).toHaveLength(1);
    });

    it('fails deliveries of deleted or disabled endpoints without sending them', async () => {
      const hook = await receiver();
      const disabled = await insertEndpoint(rig.context, hook.url);
      const deleted = await insertEndpoint(rig.context, hook.url);
      await emitEvent(rig.context);
      await db()
        .updateTable('webhook_endpoints')
        .set({ enabled: 0 })
        .where('id', '=', disabled.id)
        .execute();
      await db().deleteFrom('webhook_endpoints').where('id', '=', deleted.id).execute();

      expect(await dispatcher.runDue()).toBe(2);
      expect(hook.requests).toHaveLength(0);
      for (const endpoint of [disabled, deleted]) {
        const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
        expect(delivery).toMatchObject({ status: 'failed', attempt_count: 0, lease_owner: null });
        expect(await attemptsOf(rig.context, delivery.id)).toHaveLength(0);
      }
    });

    it('disables an endpoint that failed for disableAfterMs and announces it to others', async () => {
      settings({ disableAfterMs: 60_000 });
      const failing = await receiver(answer(500));
      const watching = await receiver();
      const endpoint = await insertEndpoint(rig.context, failing.url, ['user.created']);
      await insertEndpoint(rig.context, watching.url, ['webhook.endpoint.disabled']);
      const before = await attemptCounts();
      await emitEvent(rig.context);
      const firstAt = rig.clock.now();

      await dispatcher.runDue();
      expect(await endpointRow(rig.context, endpoint.id)).toMatchObject({
        enabled: 1,
        failing_since: firstAt,
      });
      await walkRetries(endpoint.id);

      // Attempts at +0, +5 s, +35 s and +155 s: the last is the first past one minute.
      const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
      expect(delivery).toMatchObject({ status: 'failed', attempt_count: 4 });
      const reason =
        `no successful delivery for 1 minute (since ${toIso(firstAt)}); ` +
        'fix the receiver, enable the endpoint and recover what it missed';
      expect(await endpointRow(rig.context, endpoint.id)).toMatchObject({
        enabled: 0,
        disabled_reason: reason,
        disabled_at: firstAt + 155_000,
      });
      expect(await disabledEvents(endpoint.id)).toEqual([{ endpointId: endpoint.id, reason }]);

      // The other endpoint was sent the news, in the same runDue.
      expect(watching.requests).toHaveLength(1);
      expect(JSON.parse(watching.requests[0]!.body)).toMatchObject({
        type: 'webhook.endpoint.disabled',
        data: { endpointId: endpoint.id, reason },
      });

      const after = await attemptCounts();
      const delta = (outcome: string) => (after[outcome] ?? 0) - (before[outcome] ?? 0);
      expect([delta('retrying'), delta('endpoint_disabled'), delta('succeeded')]).toEqual([
        3, 1, 1,
      ]);
    });

    it('restarts the failure clock after a success', async () => {
      settings({ disableAfterMs: 60_000 });
      const flaky = await receiver(inTurn(answer(500), answer(200), answer(500)));
      const endpoint = await insertEndpoint(rig.context, flaky.url);

      await emitEvent(rig.context);
      await dispatcher.runDue();
      await walkRetries(endpoint.id);
      expect((await endpointRow(rig.context, endpoint.id)).failing_since).toBeNull();

      rig.clock.advance(10 * 60_000);
      await emitEvent(rig.context);
      await dispatcher.runDue();
      expect(await endpointRow(rig.context, endpoint.id)).toMatchObject({
        enabled: 1,
        failing_since: rig.clock.now(),
      });
    });

    it('disables an endpoint whose receiver answers 410 Gone', async () => {
      const gone = await receiver(answer(410));
      const endpoint = await insertEndpoint(rig.context, gone.url);
      await emitEvent(rig.context);

      await dispatcher.runDue();
      const delivery = await onlyDeliveryOf(rig.context, endpoint.id);
      expect(delivery).toMatchObject({ status: 'failed', attempt_count: 1, next_attempt_at: null });
      const [attempt] = await attemptsOf(rig.context, delivery.id);
      expect(attempt?.status_code).toBe(410);
      const reason = 'the receiver answered 410 Gone';
      expect(await endpointRow(rig.context, endpoint.id)).toMatchObject({
        enabled: 0,
        disabled_reason: reason,
        disabled_at: rig.clock.now(),
      });
      expect(await disabledEvents(endpoint.id)).toEqual([{ endpointId: endpoint.id, reason }]);

      // Nothing more is queued for it.
      await emitEvent(rig.context);
      expect(await deliveriesOf(rig.context, endpoint.id)).toHaveLength(1);
    });

    it('signs with both secrets during a rotation grace and with the new one after', async () => {
      const hook = await receiver();
      const endpoint = await insertEndpoint(rig.context, hook.url);
      const oldSecret = endpoint.secret;
      const newSecret = generateSecret();
      const graceEndsAt = rig.clock.now() + 60_000;
      await db()
        .updateTable('webhook_endpoints')
        .set({
          secret: newSecret,
          previous_secret: oldSecret,
          previous_secret_expires_at: graceEndsAt,
        })
        .where('id', '=', endpoint.id)
        .execute();

      await emitEvent(rig.context);
      await dispatcher.runDue();
      rig.clock.set(graceEndsAt);
      await emitEvent(rig.context);
      await dispatcher.runDue();

      const expected = (secret: string, index: number) => {
        const request = hook.requests[index]!;
        const id = String(request.headers['webhook-id']);
        const at = new Date(Number(request.headers['webhook-timestamp']) * 1000);
        return new Webhook(secret).sign(id, at, request.body);
      };
      const signatures = hook.requests.map((r) => String(r.headers['webhook-signature']));
      expect(signatures[0]!.split(' ')).toEqual([expected(newSecret, 0), expected(oldSecret, 0)]);
      expect(signatures[1]!.split(' ')).toEqual([expected(newSecret, 1)]);
      expect(hook.requests[1]!.headers['webhook-timestamp']).toBe(
        String(Math.floor(graceEndsAt / 1000)),
      );

      // The stored request headers carry the signatures, never a secret.
      const [first] = await deliveriesOf(rig.context, endpoint.id);
      const [attempt] = await attemptsOf(rig.context, first!.id);
      expect(JSON.parse(attempt!.request_headers)['webhook-signature']).toBe(signatures[0]);
      for (const secret of [oldSecret, newSecret]) {
        expect(attempt!.request_headers).not.toContain(secret.slice('whsec_'.length));
      }
    });

    it('never has more than perEndpointConcurrency attempts open to one endpoint', async () => {
      settings({ concurrency: 6, perEndpointConcurrency: 2 });
      const slow = await receiver(answerAfter(30));
      const other = await receiver(answerAfter(30));
      const first = await insertEndpoint(rig.context, slow.url);
      const second = await insertEndpoint(rig.context, other.url);
      for (let i = 0; i < 8; i++) await emitEvent(rig.context);

      expect(await dispatcher.runDue()).toBe(16);
      expect([slow.maxConcurrent, other.maxConcurrent]).toEqual([2, 2]);
      for (const endpoint of [first, second]) {
        const statuses = (await deliveriesOf(rig.context, endpoint.id)).map((d) => d.status);
        expect(statuses).toEqual(Array(8).fill('succeeded'));
      }
    });

    it('claims with few slots free once it has waited a moment for more', async () => {
      // Seven of eight slots held by attempts that never end on their own: a busy dispatcher
      // waits for a quarter of its slots (two) before it claims, but not for long.
      settings({ concurrency: 8, perEndpointConcurrency: 7, timeoutMs: 30_000 });
      const stuck = await receiver(blackHole);
      const fast = await receiver();
      await insertEndpoint(rig.context, stuck.url, ['user.created']);
      const healthy = await insertEndpoint(rig.context, fast.url, ['course.created']);
      for (let i = 0; i < 7; i++) await emitEvent(rig.context, 'user.created');
      dispatcher = new Dispatcher(rig.context, { random: NO_JITTER });
      dispatcher.start();
      await stuck.waitForRequests(7);

      await emitEvent(rig.context, 'course.created', { courseId: 'crs_test' });
      await fast.waitForRequests(1);
      await eventually(
        async () => (await onlyDeliveryOf(rig.context, healthy.id)).status === 'succeeded',
      );
      // Sent and recorded while every attempt to the stuck endpoint was still open.
      expect(stuck.open).toBe(7);
      await dispatcher.stop(0);
    });

    it('limits a failing endpoint to failingEndpointConcurrency until it succeeds', async () => {
      settings({ concurrency: 8, perEndpointConcurrency: 4, failingEndpointConcurrency: 1 });
      let status = 503;
      const hook = await receiver((request, response, index, raw) =>
        answerAfter(30, status)(request, response, index, raw),
      );
      const endpoint = await insertEndpoint(rig.context, hook.url);
      // An endpoint that has been failing for a while, as the dispatcher left it.
      await db()
        .updateTable('webhook_endpoints')
        .set({ failing_since: rig.clock.now() - 60_000 })
        .where('id', '=', endpoint.id)
        .execute();
      for (let i = 0; i < 6; i++) await emitEvent(rig.context);

      expect(await dispatcher.runDue()).toBe(6);
      expect(hook.maxConcurrent).toBe(1);

      // It recovers: the first success gives it its full share for the rest of the retries.
      status = 200;
      hook.maxConcurrent = 0;
      const pending = await deliveriesOf(rig.context, endpoint.id);
      rig.clock.set(Math.max(...pending.map((delivery) => delivery.next_attempt_at!)));
      expect(await dispatcher.runDue()).toBe(6);
      expect(hook.maxConcurrent).toBe(4);
      expect((await endpointRow(rig.context, endpoint.id))?.failing_since).toBeNull();
      const statuses = (await deliveriesOf(rig.context, endpoint.id)).map((d) => d.status);
      expect(statuses).toEqual(Array(6).fill('succeeded'));
    });
  });
}

describe('dispatcher without a database', () => {
  it('logs and keeps trying at each poll instead of crashing', async () => {
    const lines: string[] = [];
    const config = loadConfig({ LOG_LEVEL: 'warn' });
    const context = createContext({
      config,
      // Nothing listens on port 1: every query fails at once with a refused connection.
      database: openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }),
      logger: createLogger('warn', { write: (line: string) => lines.push(line) }),
    });
    const dispatcher = new Dispatcher(context, { pollIntervalMs: 20 });

    dispatcher.start();
    const warnings = await eventually(() => {
      const found = lines.filter((line) => line.includes('could not claim webhook deliveries'));
      return found.length >= 2 && found;
    });
    await dispatcher.stop();
    await context.database.close();

    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });
});
