import { expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

const START = Date.parse('2026-04-01T08:00:00.000Z');
const DAY_MS = 86_400_000;

describeEachDatabase(
  'enrollments API',
  (h) => {
    const clock = () => h.context.clock as ManualClock;
    /** Lists stop just before now, so rows written at this millisecond need time to pass. */
    const tick = (ms = 1000) => clock().advance(ms);
    const nowIso = () => new Date(clock().now()).toISOString();
    let counter = 0;

    async function newUser(): Promise<string> {
      const reply = await h.call('POST', '/v2/users', {
        body: { email: `learner${++counter}@example.com`, firstName: 'Ada', lastName: 'L' },
      });
      expect(reply.status).toBe(201);
      return reply.body.id;
    }

    async function newCourse(extra: Record<string, unknown> = {}, publish = true): Promise<string> {
      const reply = await h.call('POST', '/v2/content/course', {
        body: { title: `Course ${++counter}`, ...extra },
      });
      expect(reply.status).toBe(201);
      if (publish) {
        expect((await h.call('POST', `/v2/content/course/${reply.body.id}/publish`)).status).toBe(
          200,
        );
      }
      return reply.body.id;
    }

    async function enroll(userId: string, courseId: string) {
      const reply = await h.call('POST', '/v2/enrollments', {
        body: { userId, courseId },
        key: h.keys.write,
      });
      tick();
      return reply;
    }

    /** Every event about one enrollment, or about anything of one user, in commit order. */
    async function eventsWhere(field: 'enrollmentId' | 'userId', id: string) {
      const rows = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .orderBy('seq')
        .execute();
      return rows
        .map((row) => ({ type: row.type, data: JSON.parse(row.data) }))
        .filter((event) => event.data[field] === id);
    }

    const typesOf = async (field: 'enrollmentId' | 'userId', id: string) =>
      (await eventsWhere(field, id)).map((event) => event.type);

    it('enrolls a live user in a published course and records enrollment.created', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      const enrolledAt = nowIso();
      const created = await enroll(userId, courseId);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^enr_/),
        userId,
        courseId,
        status: 'active',
        progress: 0,
        enrolledAt,
        completedAt: null,
        createdAt: enrolledAt,
        updatedAt: enrolledAt,
      });
      expect(await eventsWhere('enrollmentId', created.body.id)).toEqual([
        {
          type: 'enrollment.created',
          data: { enrollmentId: created.body.id, userId, courseId },
        },
      ]);

      const read = await h.call('GET', `/v2/enrollments/${created.body.id}`, { key: h.keys.read });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it('refuses unknown or deleted users and unknown or unpublished courses (422)', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      const deletedUser = await newUser();
      expect((await h.call('DELETE', `/v2/users/${deletedUser}`)).status).toBe(204);
      const draft = await newCourse({}, false);
      const unpublished = await newCourse();
      await h.call('POST', `/v2/content/course/${unpublished}/unpublish`);
      const ghostUser = 'usr_00000000000000000000000000';
      const ghostCourse = 'crs_00000000000000000000000000';

      const cases: Array<[string, string, string, string]> = [
        [ghostUser, courseId, 'unknown-user', ghostUser],
        [deletedUser, courseId, 'unknown-user', deletedUser],
        [userId, ghostCourse, 'unknown-course', ghostCourse],
        [userId, draft, 'course-not-published', draft],
        [userId, unpublished, 'course-not-published', unpublished],
      ];
      const eventsBefore = await h.context.database.db.selectFrom('events').select('id').execute();
      for (const [user, course, slug, named] of cases) {
        const reply = await enroll(user, course);
        expect(reply.status, slug).toBe(422);
        expect(reply.headers['content-type']).toContain('application/problem+json');
        expect(reply.body.type).toBe(`urn:lyceum:problem:${slug}`);
        expect(reply.body.detail).toContain(named);
      }
      const eventsAfter = await h.context.database.db.selectFrom('events').select('id').execute();
      expect(eventsAfter).toHaveLength(eventsBefore.length);
      const rows = await h.context.database.db
        .selectFrom('enrollments')
        .select('id')
        .where('user_id', 'in', [userId, deletedUser, ghostUser])
        .execute();
      expect(rows).toEqual([]);
    });

    it('refuses a second enrollment of the same pair, also when both arrive at once', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      expect((await enroll(userId, courseId)).status).toBe(201);
      const again = await enroll(userId, courseId);
      expect(again.status).toBe(409);
      expect(again.body.detail).toContain(courseId);

      const racer = await newUser();
      const replies = await Promise.all([enroll(racer, courseId), enroll(racer, courseId)]);
      expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409]);
      expect(await typesOf('userId', racer)).toEqual(['user.created', 'enrollment.created']);
    });

    it('moves progress, recording enrollment.progressed only when it changes', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      const { body: enrollment } = await enroll(userId, courseId);
      const url = `/v2/enrollments/${enrollment.id}`;

      const forty = await h.call('PATCH', url, { body: { progress: 40 }, key: h.keys.write });
      expect(forty.status).toBe(200);
      expect(forty.body).toMatchObject({ status: 'active', progress: 40, updatedAt: nowIso() });
      tick();
      const same = await h.call('PATCH', url, { body: { progress: 40 } });
      expect(same.body).toEqual(forty.body);
      const back = await h.call('PATCH', url, { body: { progress: 25 } });
      expect(back.body).toMatchObject({ status: 'active', progress: 25, completedAt: null });

      expect(await eventsWhere('enrollmentId', enrollment.id)).toEqual([
        { type: 'enrollment.created', data: { enrollmentId: enrollment.id, userId, courseId } },
        {
          type: 'enrollment.progressed',
          data: { enrollmentId: enrollment.id, userId, courseId, progress: 40 },
        },
        {
          type: 'enrollment.progressed',
          data: { enrollmentId: enrollment.id, userId, courseId, progress: 25 },
        },
      ]);
    });

    it('completes at 100, then refuses changes with a 409 that records nothing', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      const { body: enrollment } = await enroll(userId, courseId);
      const url = `/v2/enrollments/${enrollment.id}`;

      const done = await h.call('PATCH', url, { body: { progress: 100 } });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({
        status: 'completed',
        progress: 100,
        completedAt: nowIso(),
      });
      tick();

      const lower = await h.call('PATCH', url, { body: { progress: 50 } });
      expect(lower.status).toBe(409);
      expect((await h.call('PATCH', url, { body: { progress: 100 } })).status).toBe(409);
      const complete = await h.call('POST', `${url}/complete`);
      expect(complete.status).toBe(409);
      expect(complete.body.detail).toContain('completed');
      expect((await h.call('GET', url)).body).toEqual(done.body);

      // The course grants no certificate, so completion stops at course.completed.
      expect(await typesOf('enrollmentId', enrollment.id)).toEqual([
        'enrollment.created',
        'enrollment.progressed',
        'course.completed',
      ]);
      expect(await typesOf('userId', userId)).not.toContain('certification.issued');
      const certifications = await h.context.database.db
        .selectFrom('certifications')
        .select('id')
        .where('enrollment_id', '=', enrollment.id)
        .execute();
      expect(certifications).toEqual([]);
    });

    it('completes on request, issuing a certification in the same transaction', async () => {
      const userId = await newUser();
      const courseId = await newCourse({ grantsCertificate: true, certificateValidityDays: 90 });
      const { body: enrollment } = await enroll(userId, courseId);
      await h.call('PATCH', `/v2/enrollments/${enrollment.id}`, { body: { progress: 30 } });
      tick();

      const completedAt = clock().now();
      const done = await h.call('POST', `/v2/enrollments/${enrollment.id}/complete`, {
        key: h.keys.write,
      });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({
        status: 'completed',
        progress: 100,
        completedAt: new Date(completedAt).toISOString(),
      });

      const certification = await h.context.database.db
        .selectFrom('certifications')
        .selectAll()
        .where('enrollment_id', '=', enrollment.id)
        .executeTakeFirstOrThrow();
      expect(certification).toMatchObject({
        user_id: userId,
        course_id: courseId,
        issued_at: completedAt,
        expires_at: completedAt + 90 * DAY_MS,
        revoked_at: null,
      });

      const events = await eventsWhere('userId', userId);
      expect(events.slice(-3)).toEqual([
        {
          type: 'enrollment.progressed',
          data: { enrollmentId: enrollment.id, userId, courseId, progress: 100 },
        },
        { type: 'course.completed', data: { enrollmentId: enrollment.id, userId, courseId } },
        {
          type: 'certification.issued',
          data: { certificationId: certification.id, userId, courseId },
        },
      ]);
    });

    it('completes once when completions arrive at the same moment', async () => {
      const userId = await newUser();
      const courseId = await newCourse({ grantsCertificate: true });
      const { body: enrollment } = await enroll(userId, courseId);
      const url = `/v2/enrollments/${enrollment.id}`;

      const replies = await Promise.all([
        h.call('POST', `${url}/complete`),
        h.call('POST', `${url}/complete`),
        h.call('PATCH', url, { body: { progress: 100 } }),
      ]);
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409, 409]);
      const certifications = await h.context.database.db
        .selectFrom('certifications')
        .select('id')
        .where('enrollment_id', '=', enrollment.id)
        .execute();
      expect(certifications).toHaveLength(1);
      expect(await typesOf('enrollmentId', enrollment.id)).toEqual([
        'enrollment.created',
        'enrollment.progressed',
        'course.completed',
      ]);
    });

    it('keeps enrolled learners going after the course is unpublished', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      const { body: enrollment } = await enroll(userId, courseId);
      await h.call('POST', `/v2/content/course/${courseId}/unpublish`);
      const reply = await h.call('PATCH', `/v2/enrollments/${enrollment.id}`, {
        body: { progress: 60 },
      });
      expect(reply.status).toBe(200);
      expect(reply.body.progress).toBe(60);
    });

    it('lists enrollments by user, course and status', async () => {
      const [ada, bob] = [await newUser(), await newUser()];
      const [first, second] = [await newCourse(), await newCourse()];
      const { body: adaFirst } = await enroll(ada, first);
      const { body: adaSecond } = await enroll(ada, second);
      const { body: bobFirst } = await enroll(bob, first);
      await h.call('POST', `/v2/enrollments/${adaSecond.id}/complete`);
      tick();

      const ids = async (query: Record<string, string>) => {
        const reply = await h.call('GET', '/v2/enrollments', { query, key: h.keys.read });
        expect(reply.status).toBe(200);
        return reply.body.data.map((e: { id: string }) => e.id);
      };
      expect(await ids({ userId: ada })).toEqual([adaFirst.id, adaSecond.id]);
      expect(await ids({ courseId: first })).toEqual([adaFirst.id, bobFirst.id]);
      expect(await ids({ userId: ada, status: 'completed' })).toEqual([adaSecond.id]);
      expect(await ids({ courseId: first, status: 'active' })).toEqual([adaFirst.id, bobFirst.id]);
      expect(await ids({ userId: bob, courseId: second })).toEqual([]);
    });

    it("pages through a user's enrollments, with a status filter", async () => {
      const userId = await newUser();
      const enrollmentIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { body } = await enroll(userId, await newCourse());
        enrollmentIds.push(body.id);
      }
      await h.call('POST', `/v2/enrollments/${enrollmentIds[0]}/complete`);
      tick();

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { limit: '2' };
        if (cursor) query.cursor = cursor;
        const page = await h.call('GET', `/v2/users/${userId}/enrollments`, {
          query,
          key: h.keys.read,
        });
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((e: { id: string }) => e.id));
        cursor = page.body.pageInfo.cursor;
        expect(page.body.pageInfo.hasMore).toBe(cursor !== null);
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      // Update order: the completed one moved to the end.
      expect(seen).toEqual([...enrollmentIds.slice(1), enrollmentIds[0]]);

      const active = await h.call('GET', `/v2/users/${userId}/enrollments`, {
        query: { status: 'active' },
      });
      expect(active.body.data.map((e: { id: string }) => e.id)).toEqual(enrollmentIds.slice(1));
      expect(active.body.pageInfo).toEqual({ cursor: null, hasMore: false });
    });

    it("answers 404 for an unknown or deleted user's enrollments", async () => {
      const userId = await newUser();
      await enroll(userId, await newCourse());
      expect((await h.call('DELETE', `/v2/users/${userId}`)).status).toBe(204);
      expect((await h.call('GET', `/v2/users/${userId}/enrollments`)).status).toBe(404);
      const ghost = await h.call('GET', '/v2/users/usr_00000000000000000000000000/enrollments');
      expect(ghost.status).toBe(404);
      expect(ghost.headers['content-type']).toContain('application/problem+json');
      expect((await h.call('GET', '/v2/users/nope/enrollments')).status).toBe(400);
    });

    it('answers bad input with a 400 problem and unknown ids with a 404', async () => {
      const userId = await newUser();
      const courseId = await newCourse();
      const { body: enrollment } = await enroll(userId, courseId);
      const url = `/v2/enrollments/${enrollment.id}`;

      for (const body of [{ progress: 101 }, { progress: -1 }, { progress: 50.5 }, {}, { x: 1 }]) {
        const reply = await h.call('PATCH', url, { body });
        expect(reply.status, JSON.stringify(body)).toBe(400);
        expect(reply.headers['content-type']).toContain('application/problem+json');
      }
      for (const body of [
        { userId },
        { userId: 'nope', courseId },
        { userId: courseId, courseId },
        { userId, courseId, progress: 10 },
      ]) {
        expect((await h.call('POST', '/v2/enrollments', { body })).status).toBe(400);
      }
      const badQueries: Array<Record<string, string>> = [
        { userId: 'nope' },
        { courseId: 'x' },
        { status: 'done' },
      ];
      for (const query of badQueries) {
        expect((await h.call('GET', '/v2/enrollments', { query })).status).toBe(400);
      }
      expect((await h.call('GET', '/v2/enrollments', { query: { cursor: 'bad' } })).status).toBe(
        400,
      );
      expect((await h.call('GET', '/v2/enrollments/nope')).status).toBe(400);
      expect((await h.call('POST', '/v2/enrollments/nope/complete')).status).toBe(400);

      const missing = '/v2/enrollments/enr_00000000000000000000000000';
      expect((await h.call('GET', missing)).status).toBe(404);
      expect((await h.call('PATCH', missing, { body: { progress: 10 } })).status).toBe(404);
      expect((await h.call('POST', `${missing}/complete`)).status).toBe(404);

      expect((await h.call('GET', url)).body.progress).toBe(0);
      expect((await h.call('POST', `${url}/complete`, { key: h.keys.read })).status).toBe(403);
      expect((await h.call('GET', url, { key: null })).status).toBe(401);
    });
  },
  { clock: () => new ManualClock(START) },
);
