import { expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

/**
 * The nightly-export guarantee: a client exports window W1 = [t0, t1) page by page while users
 * change, then exports W2 = [t1, now]. Rows changed during W1 move past its pinned upper bound,
 * so W1 never returns a row twice and W2 carries their new version: together the windows hold
 * every user, and the latest version of each exactly once.
 */
const T0 = Date.parse('2026-04-01T00:00:00.000Z');
const SECOND = 1000;

interface ExportedUser {
  id: string;
  lastName: string;
  updatedAt: string;
}

describeEachDatabase(
  'export over update windows',
  (h) => {
    const clock = () => h.context.clock as ManualClock;

    async function page(query: Record<string, string>) {
      const answer = await h.call('GET', '/v2/users', { key: h.keys.read, query });
      expect(answer.status).toBe(200);
      return answer.body as {
        data: ExportedUser[];
        pageInfo: { cursor: string | null; hasMore: boolean };
      };
    }

    async function rename(id: string, lastName: string): Promise<void> {
      clock().advance(SECOND);
      const patched = await h.call('PATCH', `/v2/users/${id}`, { body: { lastName } });
      expect(patched.status).toBe(200);
    }

    it('W1 then W2 return every user, no row twice in a window, the latest once', async () => {
      const t0 = clock().now();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        clock().advance(SECOND);
        const created = await h.call('POST', '/v2/users', {
          body: { email: `export${i}@example.com`, firstName: 'Ex', lastName: 'v0' },
        });
        expect(created.status).toBe(201);
        ids.push(created.body.id);
      }
      clock().advance(SECOND);

      // W1: the first page leaves updatedUntil out, so the window is pinned at its reading.
      const t1 = clock().now();
      const w1: ExportedUser[] = [];
      const changedAfterReturn = new Set<string>();
      const changedBeforeReturn = new Set<string>();
      let answer = await page({ updatedSince: new Date(t0).toISOString(), limit: '2' });
      for (;;) {
        w1.push(...answer.data);
        const cursor = answer.pageInfo.cursor;
        if (cursor === null) break;

        // Between pages: change a row already exported and one still ahead of the cursor.
        const returned = answer.data[0]!.id;
        await rename(returned, `after-${changedAfterReturn.size}`);
        changedAfterReturn.add(returned);
        const ahead = ids.findLast(
          (id) => !w1.some((u) => u.id === id) && !changedBeforeReturn.has(id),
        );
        if (ahead !== undefined) {
          await rename(ahead, `before-${changedBeforeReturn.size}`);
          changedBeforeReturn.add(ahead);
        }

        clock().advance(SECOND);
        answer = await page({ cursor, limit: '2' });
      }
      expect(changedAfterReturn.size).toBeGreaterThan(1);
      expect(changedBeforeReturn.size).toBeGreaterThan(1);

      // W2 starts where W1 ended and runs to now.
      clock().advance(SECOND);
      const w2: ExportedUser[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = cursor
          ? { cursor, limit: '2' }
          : { updatedSince: new Date(t1).toISOString(), limit: '2' };
        const next = await page(query);
        w2.push(...next.data);
        cursor = next.pageInfo.cursor;
      } while (cursor !== null);

      const idsOf = (rows: ExportedUser[]) => rows.map((u) => u.id);
      expect(new Set(idsOf(w1)).size).toBe(w1.length);
      expect(new Set(idsOf(w2)).size).toBe(w2.length);
      expect(new Set([...idsOf(w1), ...idsOf(w2)])).toEqual(new Set(ids));

      for (const id of ids) {
        const latest = (await h.call('GET', `/v2/users/${id}`)).body as ExportedUser;
        const copies = [...w1, ...w2].filter(
          (u) => u.id === id && u.updatedAt === latest.updatedAt && u.lastName === latest.lastName,
        );
        expect(copies, `latest version of ${id}`).toHaveLength(1);
      }

      // The rows changed mid-export: an exported one shows up again in W2 with its new version;
      // one changed before its turn left W1 and is only in W2.
      for (const id of changedAfterReturn) {
        expect(w1.find((u) => u.id === id)?.lastName).toBe('v0');
        expect(w2.find((u) => u.id === id)?.lastName).toMatch(/^after-/);
      }
      for (const id of changedBeforeReturn) {
        expect(idsOf(w1)).not.toContain(id);
        expect(w2.find((u) => u.id === id)?.lastName).toMatch(/^before-/);
      }
      for (const u of w1) expect(Date.parse(u.updatedAt)).toBeLessThan(t1);
      for (const u of w2) expect(Date.parse(u.updatedAt)).toBeGreaterThanOrEqual(t1);
    });
  },
  { clock: () => new ManualClock(T0) },
);
