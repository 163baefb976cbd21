import { expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

const START = Date.parse('2026-05-01T10:00:00.000Z');
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describeEachDatabase(
  'certifications API',
  (h) => {
    const clock = () => h.context.clock as ManualClock;
    /** Lists stop just before now, so rows written at this millisecond need time to pass. */
    const tick = (ms = 1000) => clock().advance(ms);
    let counter = 0;

    async function newUser(): Promise<string> {
      const reply = await h.call('POST', '/v2/users', {
        body: { email: `holder${++counter}@example.com`, firstName: 'Grace', lastName: 'H' },
      });
      return reply.body.id;
    }

    async function newCourse(validityDays: number | null, grants = true): Promise<string> {
      const reply = await h.call('POST', '/v2/content/course', {
        body: {
          title: `Certified ${++counter}`,
          grantsCertificate: grants,
          certificateValidityDays: validityDays,
        },
      });
      await h.call('POST', `/v2/content/course/${reply.body.id}/publish`);
      return reply.body.id;
    }

    /** Enrolls a user, completes the course now and returns the certification it issued. */
    async function certify(validityDays: number | null, userId?: string) {
      tick();
      const user = userId ?? (await newUser());
      const courseId = await newCourse(validityDays);
      const enrolled = await h.call('POST', '/v2/enrollments', {
        body: { userId: user, courseId },
      });
      const completedAt = clock().now();
      const done = await h.call('POST', `/v2/enrollments/${enrolled.body.id}/complete`);
      expect(done.status).toBe(200);
      const row = await h.context.database.db
        .selectFrom('certifications')
        .select('id')
        .where('enrollment_id', '=', enrolled.body.id)
        .executeTakeFirstOrThrow();
      return { id: row.id, userId: user, courseId, enrollmentId: enrolled.body.id, completedAt };
    }

    const at = (id: string, instant?: number) =>
      h.call('GET', `/v2/certifications/${id}`, {
        key: h.keys.read,
        ...(instant === undefined ? {} : { query: { at: iso(instant) } }),
      });

    async function eventsOf(certificationId: string) {
      const rows = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .orderBy('seq')
        .execute();
      return rows
        .map((row) => ({ type: row.type, data: JSON.parse(row.data) }))
        .filter((event) => event.data.certificationId === certificationId);
    }

    it('issues a certification valid for N days and reads its status at any instant', async () => {
      const cert = await certify(30);
      const expiresAt = cert.completedAt + 30 * DAY_MS;

      const now = await at(cert.id);
      expect(now.status).toBe(200);
      expect(now.body).toEqual({
        id: cert.id,
        userId: cert.userId,
        courseId: cert.courseId,
        enrollmentId: cert.enrollmentId,
        issuedAt: iso(cert.completedAt),
        expiresAt: iso(expiresAt),
        revokedAt: null,
        revocationReason: null,
        status: 'active',
        createdAt: iso(cert.completedAt),
        updatedAt: iso(cert.completedAt),
        at: iso(clock().now()),
      });
      expect(await eventsOf(cert.id)).toEqual([
        {
          type: 'certification.issued',
          data: { certificationId: cert.id, userId: cert.userId, courseId: cert.courseId },
        },
      ]);

      expect((await at(cert.id, cert.completedAt)).body.status).toBe('active');
      expect((await at(cert.id, expiresAt - 1)).body.status).toBe('active');
      const atExpiry = await at(cert.id, expiresAt);
      expect(atExpiry.body).toMatchObject({ status: 'expired', at: iso(expiresAt) });
      expect((await at(cert.id, expiresAt + 365 * DAY_MS)).body.status).toBe('expired');

      // Without `at` the answer is for now, which the clock decides.
      clock().advance(30 * DAY_MS);
      const later = await at(cert.id);
      expect(later.body).toMatchObject({ status: 'expired', at: iso(clock().now()) });
    });

    it('issues a certification that never expires when the course sets no validity', async () => {
      const cert = await certify(null);
      const reply = await at(cert.id, cert.completedAt + 100 * 365 * DAY_MS);
      expect(reply.body).toMatchObject({ expiresAt: null, status: 'active' });
    });

    it('uses the certificate settings the course has when the learner completes it', async () => {
      const userId = await newUser();
      const courseId = await newCourse(null, false);
      const enrolled = await h.call('POST', '/v2/enrollments', { body: { userId, courseId } });
      await h.call('PATCH', `/v2/content/course/${courseId}`, {
        body: { grantsCertificate: true, certificateValidityDays: 7 },
      });
      tick();
      const completedAt = clock().now();
      await h.call('PATCH', `/v2/enrollments/${enrolled.body.id}`, { body: { progress: 100 } });
      const row = await h.context.database.db
        .selectFrom('certifications')
        .selectAll()
        .where('enrollment_id', '=', enrolled.body.id)
        .executeTakeFirstOrThrow();
      expect(row.expires_at).toBe(completedAt + 7 * DAY_MS);
    });

    it('answers the same for the same instant, before and after a later revocation', async () => {
      const cert = await certify(365);
      const asked = cert.completedAt + 10 * DAY_MS;
      clock().advance(20 * DAY_MS);

      const before = await at(cert.id, asked);
      expect(before.body.status).toBe('active');
      expect((await at(cert.id, asked)).body).toEqual(before.body);

      tick();
      const revokedAt = clock().now();
      const revoked = await h.call('POST', `/v2/certifications/${cert.id}/revoke`, {
        body: { reason: 'Exam irregularity' },
        key: h.keys.write,
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({
        status: 'revoked',
        revokedAt: iso(revokedAt),
        revocationReason: 'Exam irregularity',
        updatedAt: iso(revokedAt),
      });
      expect(revoked.body).not.toHaveProperty('at');
      tick();

      const after = await at(cert.id, asked);
      expect(after.body).toMatchObject({ status: 'active', at: iso(asked) });
      expect((await at(cert.id, revokedAt - 1)).body.status).toBe('active');
      expect((await at(cert.id, revokedAt)).body.status).toBe('revoked');
      expect((await at(cert.id)).body.status).toBe('revoked');

      expect((await eventsOf(cert.id)).map((event) => event.type)).toEqual([
        'certification.issued',
        'certification.revoked',
      ]);
      expect((await eventsOf(cert.id))[1]!.data).toEqual({
        certificationId: cert.id,
        userId: cert.userId,
        courseId: cert.courseId,
      });
    });

    it('reads expired until a revocation after expiry, revoked from then on', async () => {
      const cert = await certify(1);
      clock().advance(5 * DAY_MS);
      const revokedAt = clock().now();
      await h.call('POST', `/v2/certifications/${cert.id}/revoke`);
      tick();
      expect((await at(cert.id, cert.completedAt + 2 * DAY_MS)).body.status).toBe('expired');
      expect((await at(cert.id, revokedAt)).body.status).toBe('revoked');
    });

    it('refuses a second revocation with a 409 that records nothing', async () => {
      const cert = await certify(null);
      const first = await h.call('POST', `/v2/certifications/${cert.id}/revoke`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'revoked', revocationReason: null });
      tick();
      const again = await h.call('POST', `/v2/certifications/${cert.id}/revoke`, {
        body: { reason: 'Twice' },
      });
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toContain('application/problem+json');
      expect((await at(cert.id)).body).toMatchObject({
        revokedAt: first.body.revokedAt,
        revocationReason: null,
      });
      expect((await eventsOf(cert.id)).map((event) => event.type)).toEqual([
        'certification.issued',
        'certification.revoked',
      ]);
    });

    it('refuses an instant before issuance with a 422 saying when it was issued', async () => {
      const cert = await certify(30);
      const reply = await at(cert.id, cert.completedAt - 1);
      expect(reply.status).toBe(422);
      expect(reply.headers['content-type']).toContain('application/problem+json');
      expect(reply.body).toMatchObject({
        type: 'urn:lyceum:problem:before-issuance',
        issuedAt: iso(cert.completedAt),
      });
      expect(reply.body.detail).toContain(iso(cert.completedAt));
    });

    it("pages through a user's certifications, each with its status now", async () => {
      const userId = await newUser();
      const expiring = await certify(2, userId);
      const revoked = await certify(null, userId);
      const lasting = await certify(365, userId);
      tick();
      await h.call('POST', `/v2/certifications/${revoked.id}/revoke`);
      clock().advance(3 * DAY_MS);

      const seen: Array<{ id: string; status: string }> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { limit: '2' };
        if (cursor) query.cursor = cursor;
        const page = await h.call('GET', `/v2/users/${userId}/certifications`, {
          query,
          key: h.keys.read,
        });
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        for (const item of page.body.data) expect(item).not.toHaveProperty('at');
        seen.push(...page.body.data.map((c: { id: string; status: string }) => c));
        cursor = page.body.pageInfo.cursor;
        expect(page.body.pageInfo.hasMore).toBe(cursor !== null);
        pages++;
      } while (cursor);
      expect(pages).toBe(2);
      // Update order: the revocation moved that certification to the end.
      expect(seen.map(({ id, status }) => ({ id, status }))).toEqual([
        { id: expiring.id, status: 'expired' },
        { id: lasting.id, status: 'active' },
        { id: revoked.id, status: 'revoked' },
      ]);

      const other = await newUser();
      tick();
      const empty = await h.call('GET', `/v2/users/${other}/certifications`);
      expect(empty.body).toEqual({ data: [], pageInfo: { cursor: null, hasMore: false } });
    });

    it("answers 404 for an unknown or deleted user's certifications", async () => {
      const cert = await certify(null);
      await h.call('DELETE', `/v2/users/${cert.userId}`);
      expect((await h.call('GET', `/v2/users/${cert.userId}/certifications`)).status).toBe(404);
      const ghost = await h.call('GET', '/v2/users/usr_00000000000000000000000000/certifications');
      expect(ghost.status).toBe(404);
      // The certification itself stays verifiable.
      expect((await at(cert.id)).status).toBe(200);
    });

    it('answers bad input with a 400 problem and unknown ids with a 404', async () => {
      const cert = await certify(30);
      const url = `/v2/certifications/${cert.id}`;
      for (const value of ['yesterday', '2026-13-01T00:00:00Z', '2026-05-01', '1714557600000']) {
        const reply = await h.call('GET', url, { query: { at: value } });
        expect(reply.status, value).toBe(400);
        expect(reply.headers['content-type']).toContain('application/problem+json');
      }
      expect((await h.call('GET', url, { query: { when: 'now' } })).status).toBe(400);
      const offset = await h.call('GET', url, { query: { at: '2099-01-01T02:00:00+02:00' } });
      expect(offset.body).toMatchObject({ status: 'expired', at: '2099-01-01T00:00:00.000Z' });

      const tooLong = await h.call('POST', `${url}/revoke`, { body: { reason: 'x'.repeat(501) } });
      expect(tooLong.status).toBe(400);
      expect((await h.call('POST', `${url}/revoke`, { body: { other: 1 } })).status).toBe(400);
      expect((await h.call('POST', `${url}/revoke`, { key: h.keys.read })).status).toBe(403);
      expect((await at(cert.id)).body.status).toBe('active');

      expect((await h.call('GET', '/v2/certifications/nope')).status).toBe(400);
      expect((await h.call('GET', `/v2/certifications/${cert.enrollmentId}`)).status).toBe(400);
      expect((await h.call('POST', '/v2/certifications/nope/revoke')).status).toBe(400);
      expect((await h.call('GET', '/v2/users/nope/certifications')).status).toBe(400);
      expect(
        (await h.call('GET', `/v2/users/${cert.userId}/certifications`, { query: { limit: '0' } }))
          .status,
      ).toBe(400);

      const missing = '/v2/certifications/cert_00000000000000000000000000';
      expect((await h.call('GET', missing)).status).toBe(404);
      expect((await h.call('POST', `${missing}/revoke`)).status).toBe(404);
      expect((await h.call('GET', url, { key: null })).status).toBe(401);
    });
  },
  { clock: () => new ManualClock(START) },
);
