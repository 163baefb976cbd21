/**
 * Objects of every kind, created through the API so that tests have real ids to aim at: two
 * users, a published course that grants a certificate, an active and a completed enrollment,
 * the certification it earned, a subscription, a webhook endpoint with one delivery, and a
 * disposable read-only API key.
 */
import type { Harness } from '../support/harness.js';
import { PUBLIC_WEBHOOK_URL } from './schema-examples.js';

/**
 * Creates one object of every kind and returns `seed.<prefix>` → id, the names request plans
 * use as placeholders. `round` keeps emails and slugs unique when called again.
 */
export async function seedObjects(h: Harness, round: number): Promise<Record<string, string>> {
  const tag = `${round}-${Date.now()}`;
  const ok = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const reply = await h.call(method, url, body === undefined ? {} : { body });
    if (reply.status >= 300) {
      throw new Error(
        `seeding failed: ${method} ${url} answered ${reply.status} ${JSON.stringify(reply.body)}`,
      );
    }
    return reply.body;
  };
  const person = (name: string) => ({
    email: `fuzz-${name}-${tag}@example.com`,
    firstName: 'Fuzz',
    lastName: name,
  });

  const user = await ok('POST', '/v2/users', person('seed'));
  const learner = await ok('POST', '/v2/users', person('learner'));
  const course = await ok('POST', '/v2/content/course', {
    title: 'Fuzz seed course',
    slug: `fuzz-seed-${tag}`,
    grantsCertificate: true,
    certificateValidityDays: 365,
  });
  await ok('POST', `/v2/content/course/${course.id}/publish`);
  const enrollment = await ok('POST', '/v2/enrollments', { userId: user.id, courseId: course.id });
  const finished = await ok('POST', '/v2/enrollments', { userId: learner.id, courseId: course.id });
  await ok('POST', `/v2/enrollments/${finished.id}/complete`);
  const certifications = await ok('GET', `/v2/users/${learner.id}/certifications`);
  const subscription = await ok('POST', '/v2/subscriptions', { userId: user.id, plan: 'pro' });
  // Subscribed to webhook.test only, so that the events of a run do not fan out to every seed.
  const endpoint = await ok('POST', '/v2/webhooks', {
    url: PUBLIC_WEBHOOK_URL,
    eventTypes: ['webhook.test'],
  });
  const test = await ok('POST', `/v2/webhooks/${endpoint.id}/test`);
  const key = await ok('POST', '/v2/api-keys', { name: 'fuzz seed', scopes: ['read'] });

  return {
    'seed.usr': user.id,
    'seed.crs': course.id,
    'seed.enr': enrollment.id,
    'seed.cert': certifications.data[0].id,
    'seed.sub': subscription.id,
    'seed.whk': endpoint.id,
    'seed.evt': test.eventId,
    'seed.dlv': test.deliveryId,
    'seed.key': key.id,
  };
}
