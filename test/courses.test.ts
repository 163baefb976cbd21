import { expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

const START = Date.parse('2026-03-01T09:00:00.000Z');

describeEachDatabase(
  'courses API',
  (h) => {
    const clock = () => h.context.clock as ManualClock;
    /** Lists stop just before now, so rows written at this millisecond need time to pass. */
    const tick = (ms = 1000) => clock().advance(ms);
    let counter = 0;
    const uniqueTitle = (base: string) => `${base} ${++counter}`;

    async function eventsOf(courseId: string) {
      const rows = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .orderBy('seq')
        .execute();
      return rows
        .map((row) => ({ type: row.type, data: JSON.parse(row.data) }))
        .filter((event) => event.data.courseId === courseId);
    }

    const create = async (body: Record<string, unknown>) => {
      const reply = await h.call('POST', '/v2/content/course', { body, key: h.keys.write });
      tick();
      return reply;
    };

    it('creates a draft with defaults and a title slug, recording course.created', async () => {
      const created = await create({ title: 'Intro to Café Ops!' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^crs_/),
        title: 'Intro to Café Ops!',
        slug: 'intro-to-cafe-ops',
        description: '',
        status: 'draft',
        grantsCertificate: false,
        certificateValidityDays: null,
        publishedAt: null,
        createdAt: new Date(START).toISOString(),
        updatedAt: new Date(START).toISOString(),
      });
      expect(await eventsOf(created.body.id)).toEqual([
        { type: 'course.created', data: { courseId: created.body.id } },
      ]);

      const read = await h.call('GET', `/v2/content/course/${created.body.id}`, {
        key: h.keys.read,
      });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it('takes every field, and slugs a non-latin title from the id', async () => {
      const full = await create({
        title: uniqueTitle('Safety'),
        slug: 'safety-basics',
        description: 'Hard hats.',
        grantsCertificate: true,
        certificateValidityDays: 365,
      });
      expect(full.status).toBe(201);
      expect(full.body).toMatchObject({
        slug: 'safety-basics',
        description: 'Hard hats.',
        grantsCertificate: true,
        certificateValidityDays: 365,
      });

      const cjk = await create({ title: '安全第一' });
      expect(cjk.status).toBe(201);
      expect(cjk.body.slug).toBe(`course-${cjk.body.id.slice(4).toLowerCase()}`);
    });

    it('refuses a slug that is taken with a 409 naming it, and records nothing', async () => {
      const first = await create({ title: 'Forklift Safety' });
      expect(first.body.slug).toBe('forklift-safety');
      const before = await h.context.database.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'course.created')
        .execute();

      const derived = await create({ title: 'Forklift  safety' });
      expect(derived.status).toBe(409);
      expect(derived.headers['content-type']).toContain('application/problem+json');
      expect(derived.body.detail).toContain('"forklift-safety"');
      const explicit = await create({ title: 'Other', slug: 'forklift-safety' });
      expect(explicit.status).toBe(409);

      const after = await h.context.database.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'course.created')
        .execute();
      expect(after).toHaveLength(before.length);
    });

    it('patches only what changed, naming the fields in course.updated', async () => {
      const { body: course } = await create({ title: uniqueTitle('Patchable') });
      const patched = await h.call('PATCH', `/v2/content/course/${course.id}`, {
        body: {
          title: course.title,
          description: 'Now with content',
          grantsCertificate: true,
          certificateValidityDays: 30,
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        title: course.title,
        description: 'Now with content',
        grantsCertificate: true,
        certificateValidityDays: 30,
        updatedAt: new Date(clock().now()).toISOString(),
      });
      tick();

      const unchanged = await h.call('PATCH', `/v2/content/course/${course.id}`, {
        body: { description: 'Now with content', grantsCertificate: true },
      });
      expect(unchanged.status).toBe(200);
      expect(unchanged.body).toEqual(patched.body);
      const empty = await h.call('PATCH', `/v2/content/course/${course.id}`, { body: {} });
      expect(empty.status).toBe(200);

      const neverExpires = await h.call('PATCH', `/v2/content/course/${course.id}`, {
        body: { certificateValidityDays: null, slug: `renamed-${counter}` },
      });
      expect(neverExpires.body).toMatchObject({
        certificateValidityDays: null,
        slug: `renamed-${counter}`,
      });

      expect(await eventsOf(course.id)).toEqual([
        { type: 'course.created', data: { courseId: course.id } },
        {
          type: 'course.updated',
          data: {
            courseId: course.id,
            changed: ['description', 'grantsCertificate', 'certificateValidityDays'],
          },
        },
        {
          type: 'course.updated',
          data: { courseId: course.id, changed: ['certificateValidityDays', 'slug'] },
        },
      ]);
    });

    it('refuses a patch to a slug another course holds, and records nothing', async () => {
      const { body: holder } = await create({ title: uniqueTitle('Holder') });
      const { body: course } = await create({ title: uniqueTitle('Mover') });
      const taken = await h.call('PATCH', `/v2/content/course/${course.id}`, {
        body: { slug: holder.slug, title: 'Changed too' },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.detail).toContain(holder.slug);
      expect((await h.call('GET', `/v2/content/course/${course.id}`)).body.title).toBe(
        course.title,
      );
      expect((await eventsOf(course.id)).map((e) => e.type)).toEqual(['course.created']);
    });

    it('publishes and unpublishes, refusing transitions that do not apply', async () => {
      const { body: course } = await create({ title: uniqueTitle('Lifecycle') });
      const url = `/v2/content/course/${course.id}`;

      const unpublishDraft = await h.call('POST', `${url}/unpublish`);
      expect(unpublishDraft.status).toBe(409);

      const published = await h.call('POST', `${url}/publish`, { key: h.keys.write });
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({
        status: 'published',
        publishedAt: new Date(clock().now()).toISOString(),
        updatedAt: new Date(clock().now()).toISOString(),
      });
      tick();
      const again = await h.call('POST', `${url}/publish`);
      expect(again.status).toBe(409);
      expect(again.body.detail).toContain('already published');

      const unpublished = await h.call('POST', `${url}/unpublish`);
      expect(unpublished.status).toBe(200);
      expect(unpublished.body).toMatchObject({
        status: 'unpublished',
        publishedAt: published.body.publishedAt,
      });
      expect((await h.call('POST', `${url}/unpublish`)).status).toBe(409);
      tick();

      const republished = await h.call('POST', `${url}/publish`);
      expect(republished.status).toBe(200);
      expect(republished.body.status).toBe('published');
      expect(republished.body.publishedAt).not.toBe(published.body.publishedAt);

      expect((await eventsOf(course.id)).map((e) => e.type)).toEqual([
        'course.created',
        'course.published',
        'course.unpublished',
        'course.published',
      ]);
      expect((await h.call('POST', `${url}/publish`, { key: h.keys.read })).status).toBe(403);
    });

    it('lists the catalog by status, in cursor pages and update windows', async () => {
      tick();
      const windowStart = new Date(clock().now()).toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { body } = await create({ title: uniqueTitle('Catalog') });
        ids.push(body.id);
      }
      for (const id of ids.slice(0, 3)) {
        await h.call('POST', `/v2/content/course/${id}/publish`);
        tick();
      }
      const windowEnd = new Date(clock().now()).toISOString();
      tick();

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = {
          status: 'published',
          updatedSince: windowStart,
          limit: '2',
        };
        if (cursor) query.cursor = cursor;
        const page = await h.call('GET', '/v2/content/course', { query, key: h.keys.read });
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        for (const course of page.body.data) expect(course.status).toBe('published');
        seen.push(...page.body.data.map((c: { id: string }) => c.id));
        cursor = page.body.pageInfo.cursor;
        expect(page.body.pageInfo.hasMore).toBe(cursor !== null);
      } while (cursor);
      expect(seen).toEqual(ids.slice(0, 3));

      const drafts = await h.call('GET', '/v2/content/course', {
        query: { status: 'draft', updatedSince: windowStart },
      });
      expect(drafts.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(3));

      const window = await h.call('GET', '/v2/content/course', {
        query: { updatedSince: windowStart, updatedUntil: windowEnd },
      });
      expect(window.body.data.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
      const later = await h.call('GET', '/v2/content/course', {
        query: { updatedSince: windowEnd },
      });
      expect(later.body.data).toEqual([]);
    });

    it('answers bad input with a 400 problem and unknown ids with a 404', async () => {
      const bad = [
        { title: '' },
        { title: 'x'.repeat(201) },
        { title: 'ok', slug: 'Not A Slug' },
        { title: 'ok', slug: 'x'.repeat(101) },
        { title: 'ok', description: 'x'.repeat(10_001) },
        { title: 'ok', certificateValidityDays: 0 },
        { title: 'ok', certificateValidityDays: 36_501 },
        { title: 'ok', certificateValidityDays: 1.5 },
        { title: 'ok', certificateValidityDays: '' },
        { title: 'ok', certificateValidityDays: false },
        { title: 'ok', status: 'published' },
      ];
      for (const body of bad) {
        const reply = await h.call('POST', '/v2/content/course', { body });
        expect(reply.status, JSON.stringify(body)).toBe(400);
        expect(reply.headers['content-type']).toContain('application/problem+json');
      }
      const ok = await create({ title: uniqueTitle('Edge'), certificateValidityDays: 36_500 });
      expect(ok.status).toBe(201);

      expect((await h.call('GET', '/v2/content/course/nope')).status).toBe(400);
      expect(
        (await h.call('GET', '/v2/content/course/usr_00000000000000000000000000')).status,
      ).toBe(400);
      expect(
        (await h.call('GET', '/v2/content/course', { query: { status: 'archived' } })).status,
      ).toBe(400);
      expect(
        (await h.call('GET', '/v2/content/course', { query: { updatedSince: 'yesterday' } }))
          .status,
      ).toBe(400);

      const missing = 'crs_00000000000000000000000000';
      expect((await h.call('GET', `/v2/content/course/${missing}`)).status).toBe(404);
      expect(
        (await h.call('PATCH', `/v2/content/course/${missing}`, { body: { title: 'x' } })).status,
      ).toBe(404);
      expect((await h.call('POST', `/v2/content/course/${missing}/publish`)).status).toBe(404);
      expect((await h.call('POST', `/v2/content/course/${missing}/unpublish`)).status).toBe(404);
      expect((await h.call('GET', '/v2/content/course', { key: null })).status).toBe(401);
    });
  },
  { clock: () => new ManualClock(START) },
);
