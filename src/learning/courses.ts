/**
 * Courses: created as drafts, edited, and published into the catalog (or taken out of it
 * again). Only a published course accepts new enrollments; learners already enrolled keep their
 * enrollment when a course is unpublished. Whether a course grants a certificate, and for how
 * long, is read at the moment of completion, so editing it affects future completions only.
 */

import {
  applyUpdateWindow,
  type Page,
  pageOfWindow,
  resolveUpdateWindow,
  type WindowQuery,
} from '../api/pagination.js';
import { conflict, notFound } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import type { CourseTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { toIso } from '../shared/clock.js';
import { changedFields } from './changes.js';
import { slugFromTitle } from './course-slug.js';
import { lockedOn } from './row-lock.js';

/** Where a course is in its life: drafts and unpublished courses are not in the catalog. */
export const COURSE_STATUSES = ['draft', 'published', 'unpublished'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

/** A course as the API answers it. */
export interface CourseView {
  id: string;
  title: string;
  slug: string;
  description: string;
  status: string;
  grantsCertificate: boolean;
  certificateValidityDays: number | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The fields a caller sets; `changed` in course.updated names these. */
export interface CourseFields {
  title: string;
  slug: string;
  description: string;
  grantsCertificate: boolean;
  certificateValidityDays: number | null;
}

/** What creating a course takes: a title, and the rest optionally. */
export type NewCourse = Pick<CourseFields, 'title'> & Partial<Omit<CourseFields, 'title'>>;

/** The filters of the course list. */
export interface CourseListQuery extends WindowQuery {
  status?: CourseStatus;
}

type Context = WriteServices;

/** The answer for a course. */
export function viewCourse(row: CourseTable): CourseView {
  return {
    id: row.id,
    title: row.title,
    slug: row.slug,
    description: row.description,
    status: row.status,
    grantsCertificate: row.grants_certificate === 1,
    certificateValidityDays: row.certificate_validity_days,
    publishedAt: toIso(row.published_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

function fieldsOf(row: CourseTable): CourseFields {
  return {
    title: row.title,
    slug: row.slug,
    description: row.description,
    grantsCertificate: row.grants_certificate === 1,
    certificateValidityDays: row.certificate_validity_days,
  };
}

const slugTaken = (slug: string) =>
  conflict(`The slug "${slug}" is already used by another course; choose a different slug.`);

async function assertSlugFree(write: WriteContext, slug: string): Promise<void> {
  const holder = await write.trx
    .selectFrom('courses')
    .select('id')
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (holder) throw slugTaken(slug);
}

/** Runs a write that may claim a slug; a claim lost to a concurrent request is a 409 too. */
async function claimingSlug<T>(slug: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (slug !== undefined && isUniqueViolation(error)) throw slugTaken(slug);
    throw error;
  }
}

/** Reads a course inside a transaction, locked for change, or answers 404. */
export async function requireCourse(write: WriteContext, id: string): Promise<CourseTable> {
  const row = await lockedOn(
    write,
    write.trx.selectFrom('courses').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  if (!row) throw notFound('Course', id);
  return row;
}

/** Creates a draft course and records course.created. */
export async function createCourse(context: Context, input: NewCourse): Promise<CourseView> {
  const id = context.ids.next('course');
  const slug = input.slug ?? slugFromTitle(input.title, id);

  return claimingSlug(slug, () =>
    transact(context.database, async (write) => {
      await assertSlugFree(write, slug);
      const now = context.clock.now();
      const row: CourseTable = {
        id,
        title: input.title,
        slug,
        description: input.description ?? '',
        status: 'draft',
        grants_certificate: input.grantsCertificate ? 1 : 0,
        certificate_validity_days: input.certificateValidityDays ?? null,
        published_at: null,
        created_at: now,
        updated_at: now,
      };
      await write.trx.insertInto('courses').values(row).execute();
      await recordEvent(context, write, 'course.created', { courseId: id });
      return viewCourse(row);
    }),
  );
}

/** Reads one course, whatever its status. */
export async function getCourse(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<CourseView> {
  const row = await context.database.db
    .selectFrom('courses')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Course', id);
  return viewCourse(row);
}

/** Changes a course's fields; an update that changes nothing records no event. */
export async function updateCourse(
  context: Context,
  id: string,
  patch: Partial<CourseFields>,
): Promise<CourseView> {
  return claimingSlug(patch.slug, () =>
    transact(context.database, async (write) => {
      const current = await requireCourse(write, id);
      const before = fieldsOf(current);
      const changed = changedFields(before, patch);
      if (changed.length === 0) return viewCourse(current);
      if (changed.includes('slug') && patch.slug !== undefined) {
        await assertSlugFree(write, patch.slug);
      }

      const after = { ...before, ...patch };
      const row: CourseTable = {
        ...current,
        title: after.title,
        slug: after.slug,
        description: after.description,
        grants_certificate: after.grantsCertificate ? 1 : 0,
        certificate_validity_days: after.certificateValidityDays,
        updated_at: context.clock.now(),
      };
      await write.trx.updateTable('courses').set(row).where('id', '=', id).execute();
      await recordEvent(context, write, 'course.updated', {
        courseId: id,
        changed: changed.map(String),
      });
      return viewCourse(row);
    }),
  );
}

/** Puts a draft or unpublished course into the catalog; a published one is a 409. */
export async function publishCourse(context: Context, id: string): Promise<CourseView> {
  return transact(context.database, async (write) => {
    const current = await requireCourse(write, id);
    if (current.status === 'published') {
      throw conflict(`Course ${id} is already published.`);
    }
    const now = context.clock.now();
    const row: CourseTable = {
      ...current,
      status: 'published',
      published_at: now,
      updated_at: now,
    };
    await write.trx
      .updateTable('courses')
      .set({ status: row.status, published_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(context, write, 'course.published', { courseId: id });
    return viewCourse(row);
  });
}

/**
 * Takes a published course out of the catalog; anything else is a 409. `publishedAt` keeps the
 * last publication so a reader can tell when it was last in the catalog.
 */
export async function unpublishCourse(context: Context, id: string): Promise<CourseView> {
  return transact(context.database, async (write) => {
    const current = await requireCourse(write, id);
    if (current.status !== 'published') {
      throw conflict(
        `Course ${id} is ${current.status}, not published; only a published course can be unpublished.`,
      );
    }
    const now = context.clock.now();
    const row: CourseTable = { ...current, status: 'unpublished', updated_at: now };
    await write.trx
      .updateTable('courses')
      .set({ status: row.status, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(context, write, 'course.unpublished', { courseId: id });
    return viewCourse(row);
  });
}

/** Lists courses in update order; `status: 'published'` is the catalog. */
export async function listCourses(
  context: Pick<AppContext, 'database' | 'clock'>,
  query: CourseListQuery,
): Promise<Page<CourseView>> {
  const window = resolveUpdateWindow(query, context.clock.now());
  let select = context.database.db.selectFrom('courses').selectAll();
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const rows = await applyUpdateWindow(select, window, 'courses').execute();
  return pageOfWindow(rows, window, viewCourse);
}
