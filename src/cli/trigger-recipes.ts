/**
 * How `lyceum trigger` makes each event type happen: the real objects and changes behind it,
 * through the REST API, so a receiver sees exactly what production would send. One entry per
 * event type of the catalog (the Record type makes a missing one a compile error); the ones no
 * API call can cause say why.
 */
import type { LyceumClient, LyceumEventType } from '../../packages/sdk/src/index.js';
import { UsageError } from './usage-error.js';

/** Something the trigger created or changed, for the report. */
export interface TriggerStep {
  /** What was done, e.g. `Created user`. */
  action: string;
  id: string;
  detail?: string;
  /** Server time of the change, to find its events from. */
  at?: string;
}

/** What a recipe works with. */
export interface TriggerRun {
  client: LyceumClient;
  /** Unique per run, for emails and titles. */
  tag: string;
  steps: TriggerStep[];
  /** `--endpoint`, for webhook.test. */
  endpoint: string | undefined;
  /** Event ids a recipe got straight from an answer (webhook.test). */
  eventIds: string[];
}

type Recipe = ((run: TriggerRun) => Promise<void>) | { refused: string };

async function user(run: TriggerRun) {
  const created = await run.client.users.create({
    email: `trigger-${run.tag}@example.com`,
    firstName: 'Trigger',
    lastName: run.tag,
  });
  run.steps.push({
    action: 'Created user',
    id: created.id,
    detail: created.email,
    at: created.createdAt,
  });
  return created;
}

async function course(run: TriggerRun, grantsCertificate = false) {
  const created = await run.client.courses.create({
    title: `Trigger course ${run.tag}`,
    grantsCertificate,
    ...(grantsCertificate ? { certificateValidityDays: 365 } : {}),
  });
  run.steps.push({
    action: 'Created course',
    id: created.id,
    detail: created.title,
    at: created.createdAt,
  });
  return created;
}

async function publishedCourse(run: TriggerRun, grantsCertificate = false) {
  const created = await course(run, grantsCertificate);
  await run.client.courses.publish(created.id);
  run.steps.push({ action: 'Published course', id: created.id });
  return created;
}

async function enrollment(run: TriggerRun, grantsCertificate = false) {
  const learner = await user(run);
  const taught = await publishedCourse(run, grantsCertificate);
  const created = await run.client.enrollments.create({ userId: learner.id, courseId: taught.id });
  run.steps.push({ action: 'Enrolled', id: created.id, detail: `${learner.id} in ${taught.id}` });
  return created;
}

async function completion(run: TriggerRun, grantsCertificate = false) {
  const enrolled = await enrollment(run, grantsCertificate);
  await run.client.enrollments.complete(enrolled.id);
  run.steps.push({ action: 'Completed enrollment', id: enrolled.id });
  return enrolled;
}

async function certification(run: TriggerRun) {
  const enrolled = await completion(run, true);
  const page = await run.client.users.certifications(enrolled.userId);
  const issued = page.data[0];
  if (!issued) throw new Error(`no certification was issued for enrollment ${enrolled.id}`);
  run.steps.push({ action: 'Issued certification', id: issued.id });
  return issued;
}

async function subscription(run: TriggerRun) {
  const subscriber = await user(run);
  const created = await run.client.subscriptions.create({ userId: subscriber.id, plan: 'trial' });
  run.steps.push({ action: 'Started subscription', id: created.id, detail: created.plan });
  return created;
}

/** The recipe of every event type. */
export const TRIGGER_RECIPES: Record<LyceumEventType, Recipe> = {
  'user.created': async (run) => {
    await user(run);
  },
  'user.updated': async (run) => {
    const created = await user(run);
    await run.client.users.update(created.id, { firstName: 'Triggered' });
    run.steps.push({ action: 'Renamed user', id: created.id, detail: 'firstName' });
  },
  'user.deleted': async (run) => {
    const created = await user(run);
    await run.client.users.delete(created.id);
    run.steps.push({ action: 'Deleted user', id: created.id });
  },
  'course.created': async (run) => {
    await course(run);
  },
  'course.updated': async (run) => {
    const created = await course(run);
    await run.client.courses.update(created.id, { description: 'Updated by lyceum trigger' });
    run.steps.push({ action: 'Updated course', id: created.id, detail: 'description' });
  },
  'course.published': async (run) => {
    await publishedCourse(run);
  },
  'course.unpublished': async (run) => {
    const created = await publishedCourse(run);
    await run.client.courses.unpublish(created.id);
    run.steps.push({ action: 'Unpublished course', id: created.id });
  },
  'enrollment.created': async (run) => {
    await enrollment(run);
  },
  'enrollment.progressed': async (run) => {
    const enrolled = await enrollment(run);
    await run.client.enrollments.update(enrolled.id, { progress: 50 });
    run.steps.push({ action: 'Set progress to 50 on', id: enrolled.id });
  },
  'course.completed': async (run) => {
    await completion(run);
  },
  'certification.issued': async (run) => {
    await certification(run);
  },
  'certification.revoked': async (run) => {
    const issued = await certification(run);
    await run.client.certifications.revoke(issued.id, { reason: 'revoked by lyceum trigger' });
    run.steps.push({ action: 'Revoked certification', id: issued.id });
  },
  'subscription.created': async (run) => {
    await subscription(run);
  },
  'subscription.updated': async (run) => {
    const created = await subscription(run);
    await run.client.subscriptions.update(created.id, { plan: 'pro' });
    run.steps.push({
      action: 'Changed plan of subscription',
      id: created.id,
      detail: 'trial → pro',
    });
  },
  'subscription.canceled': async (run) => {
    const created = await subscription(run);
    await run.client.subscriptions.cancel(created.id);
    run.steps.push({ action: 'Canceled subscription', id: created.id });
  },
  'webhook.test': async (run) => {
    if (!run.endpoint) {
      throw new UsageError('webhook.test is sent to one endpoint: pass --endpoint whk_…');
    }
    const sent = await run.client.webhooks.test(run.endpoint);
    run.steps.push({ action: 'Queued a test delivery', id: sent.deliveryId, detail: run.endpoint });
    run.eventIds.push(sent.eventId);
  },
  'webhook.endpoint.disabled': {
    refused:
      'webhook.endpoint.disabled cannot be triggered: Lyceum records it only when a receiver answers 410 Gone or an endpoint fails for LYCEUM_WEBHOOK_DISABLE_AFTER; disabling through the API records no event',
  },
};
