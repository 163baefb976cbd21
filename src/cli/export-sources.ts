/**
 * What `lyceum export` can export, each as a source that reads one page at a time from a
 * cursor it can save and resume from. Resource lists page a window of `updatedAt`; the event
 * feed a window of event time. Certifications have no list of their own in the API, so they
 * are read user by user (`GET /v2/users/:id/certifications` with the window); a deleted user's
 * certifications are therefore not exported.
 */
import { LyceumApiError, type LyceumClient, type Page } from '../../packages/sdk/src/index.js';

/** The names `lyceum export` accepts. */
export const EXPORTABLE = ['users', 'courses', 'enrollments', 'certifications', 'events'] as const;

/** One of EXPORTABLE. */
export type ExportableName = (typeof EXPORTABLE)[number];

/** The export window, ISO 8601; `since` inclusive, `until` exclusive. */
export interface ExportWindow {
  since: string | null;
  until: string;
}

/** One step of an export: rows to append, where to go on from, and whether that was all. */
export interface ExportStep {
  rows: Array<Record<string, unknown>>;
  cursor: unknown;
  done: boolean;
}

/** One exportable collection. */
export interface ExportSource {
  /** CSV columns, in order. */
  columns: readonly string[];
  /** The field whose time places a row within the window, for the progress bar. */
  timeField: string | undefined;
  /** Reads the step after `cursor` (null: the start). */
  step(
    client: LyceumClient,
    cursor: unknown,
    window: ExportWindow,
    limit: number,
  ): Promise<ExportStep>;
}

type ListQuery = {
  limit: number;
  cursor?: string;
  updatedSince?: string;
  updatedUntil?: string;
};

/** A source over one update-window list. */
function windowList(
  columns: readonly string[],
  list: (client: LyceumClient, query: ListQuery) => Promise<Page<object>>,
): ExportSource {
  return {
    columns,
    timeField: 'updatedAt',
    async step(client, cursor, window, limit) {
      const page = await list(client, {
        limit,
        ...(typeof cursor === 'string' ? { cursor } : {}),
        ...(window.since ? { updatedSince: window.since } : {}),
        updatedUntil: window.until,
      });
      return pageStep(page);
    },
  };
}

function pageStep(page: Page<object>): ExportStep {
  return {
    rows: page.data as Array<Record<string, unknown>>,
    cursor: page.pageInfo.cursor,
    done: !page.pageInfo.hasMore,
  };
}

const CERTIFICATION_COLUMNS = [
  'id',
  'userId',
  'courseId',
  'enrollmentId',
  'issuedAt',
  'expiresAt',
  'revokedAt',
  'revocationReason',
  'status',
  'createdAt',
  'updatedAt',
] as const;

/** Where a certification export stands: a page of users being worked through. */
interface CertificationCursor {
  /** The cursor of the users page after the current one; null: the current one was the last. */
  users: string | null;
  /** Users of the current page not finished yet, the first one being read. */
  queue: string[];
  /** The cursor within the first queued user's certifications. */
  page: string | null;
  /** Whether a users page was read yet. */
  started: boolean;
}

function isCertificationCursor(value: unknown): value is CertificationCursor {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as CertificationCursor).queue)
  );
}

const certifications: ExportSource = {
  columns: CERTIFICATION_COLUMNS,
  timeField: undefined,
  async step(client, cursor, window, limit) {
    const at: CertificationCursor = isCertificationCursor(cursor)
      ? cursor
      : { users: null, queue: [], page: null, started: false };

    const userId = at.queue[0];
    if (userId === undefined) {
      if (at.started && at.users === null) return { rows: [], cursor: at, done: true };
      const users = await client.users.list({
        limit: 100,
        ...(at.users ? { cursor: at.users } : {}),
      });
      const next: CertificationCursor = {
        users: users.pageInfo.hasMore ? users.pageInfo.cursor : null,
        queue: users.data.map((user) => user.id),
        page: null,
        started: true,
      };
      return { rows: [], cursor: next, done: next.queue.length === 0 && next.users === null };
    }

    const page = await userCertifications(client, userId, window, limit, at.page);
    const more = page.pageInfo.hasMore && page.pageInfo.cursor !== null;
    const next: CertificationCursor = more
      ? { ...at, page: page.pageInfo.cursor }
      : { ...at, queue: at.queue.slice(1), page: null };
    return {
      rows: page.data as unknown as Array<Record<string, unknown>>,
      cursor: next,
      done: next.queue.length === 0 && next.users === null,
    };
  },
};

/** A user's certifications in the window; none when the user was deleted meanwhile. */
async function userCertifications(
  client: LyceumClient,
  userId: string,
  window: ExportWindow,
  limit: number,
  cursor: string | null,
) {
  try {
    return await client.users.certifications(userId, {
      limit,
      ...(cursor ? { cursor } : {}),
      ...(window.since ? { updatedSince: window.since } : {}),
      updatedUntil: window.until,
    });
  } catch (error) {
    if (error instanceof LyceumApiError && error.status === 404) {
      return { data: [], pageInfo: { cursor: null, hasMore: false } };
    }
    throw error;
  }
}

const events: ExportSource = {
  columns: ['id', 'type', 'timestamp', 'data'],
  timeField: 'timestamp',
  async step(client, cursor, window, limit) {
    const page = await client.events.list({
      limit,
      ...(typeof cursor === 'string' ? { cursor } : {}),
      ...(window.since ? { since: window.since } : {}),
      until: window.until,
    });
    return pageStep(page);
  },
};

/** Every source by the name the command takes. */
export const EXPORT_SOURCES: Record<ExportableName, ExportSource> = {
  users: windowList(
    [
      'id',
      'email',
      'firstName',
      'lastName',
      'externalCustomerId',
      'role',
      'createdAt',
      'updatedAt',
    ],
    (client, query) => client.users.list(query),
  ),
  courses: windowList(
    [
      'id',
      'title',
      'slug',
      'description',
      'status',
      'grantsCertificate',
      'certificateValidityDays',
      'publishedAt',
      'createdAt',
      'updatedAt',
    ],
    (client, query) => client.courses.list(query),
  ),
  enrollments: windowList(
    [
      'id',
      'userId',
      'courseId',
      'status',
      'progress',
      'enrolledAt',
      'completedAt',
      'createdAt',
      'updatedAt',
    ],
    (client, query) => client.enrollments.list(query),
  ),
  certifications,
  events,
};
