/**
 * The "HRIS": the example's own SQLite database. It keeps one row per course enrollment (who,
 * which course, when completed) and a receipt per webhook id, which is how duplicates are
 * recognised: Lyceum delivers at least once, so the same event may arrive more than once.
 */
import Database from 'better-sqlite3';

/** A learner's course as the HRIS keeps it. */
export interface CompletionRow {
  enrollmentId: string;
  userId: string;
  courseId: string;
  name: string;
  email: string;
  courseTitle: string;
  /** ISO 8601; null while the course is in progress. */
  completedAt: string | null;
  syncedAt: string;
}

/** A webhook received and not yet (or not successfully) processed. */
export interface PendingReceipt {
  webhookId: string;
  payload: string;
}

const SCHEMA = `
  create table if not exists webhook_receipts (
    webhook_id text primary key,
    event_type text not null,
    payload text not null,
    received_at text not null,
    processed_at text,
    error text
  );
  create table if not exists course_completions (
    enrollment_id text primary key,
    user_id text not null,
    course_id text not null,
    name text not null,
    email text not null,
    course_title text not null,
    completed_at text,
    synced_at text not null
  );
  create index if not exists course_completions_user on course_completions (user_id);
  create index if not exists course_completions_course on course_completions (course_id);
`;

/** The example's tables, behind small named operations. */
export class HrisStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
  }

  /** Records a webhook id; false when it was already received (a duplicate to drop). */
  recordReceipt(webhookId: string, eventType: string, payload: string): boolean {
    const result = this.db
      .prepare(
        `insert into webhook_receipts (webhook_id, event_type, payload, received_at)
         values (?, ?, ?, ?) on conflict (webhook_id) do nothing`,
      )
      .run(webhookId, eventType, payload, new Date().toISOString());
    return result.changes === 1;
  }

  /** Marks a receipt done; `error` set means it failed for good and will not be retried. */
  finishReceipt(webhookId: string, error: string | null = null): void {
    this.db
      .prepare('update webhook_receipts set processed_at = ?, error = ? where webhook_id = ?')
      .run(new Date().toISOString(), error, webhookId);
  }

  /** Notes a failure that may pass (Lyceum unreachable); the receipt stays pending. */
  noteFailure(webhookId: string, error: string): void {
    this.db
      .prepare('update webhook_receipts set error = ? where webhook_id = ?')
      .run(error, webhookId);
  }

  /** Receipts not processed yet, oldest first: work to redo after a crash or an outage. */
  pendingReceipts(): PendingReceipt[] {
    return this.db
      .prepare(
        `select webhook_id as webhookId, payload from webhook_receipts
         where processed_at is null order by received_at`,
      )
      .all() as PendingReceipt[];
  }

  /** How many webhook ids were received. */
  receiptCount(): number {
    const row = this.db.prepare('select count(*) as count from webhook_receipts').get() as {
      count: number;
    };
    return row.count;
  }

  /** Inserts or replaces the row of one enrollment. */
  upsertCompletion(row: Omit<CompletionRow, 'syncedAt'>): void {
    this.db
      .prepare(
        `insert into course_completions
           (enrollment_id, user_id, course_id, name, email, course_title, completed_at, synced_at)
         values (@enrollmentId, @userId, @courseId, @name, @email, @courseTitle, @completedAt, @syncedAt)
         on conflict (enrollment_id) do update set
           name = excluded.name, email = excluded.email, course_title = excluded.course_title,
           completed_at = excluded.completed_at, synced_at = excluded.synced_at`,
      )
      .run({ ...row, syncedAt: new Date().toISOString() });
  }

  /** Updates the name and email on every row of a user. */
  updatePerson(userId: string, name: string, email: string): void {
    this.db
      .prepare('update course_completions set name = ?, email = ?, synced_at = ? where user_id = ?')
      .run(name, email, new Date().toISOString(), userId);
  }

  /** Updates the course title on every row of a course. */
  updateCourseTitle(courseId: string, title: string): void {
    this.db
      .prepare('update course_completions set course_title = ?, synced_at = ? where course_id = ?')
      .run(title, new Date().toISOString(), courseId);
  }

  /** Every row, by enrollment id. */
  completions(): CompletionRow[] {
    return this.db
      .prepare(
        `select enrollment_id as enrollmentId, user_id as userId, course_id as courseId, name,
                email, course_title as courseTitle, completed_at as completedAt,
                synced_at as syncedAt
         from course_completions order by enrollment_id`,
      )
      .all() as CompletionRow[];
  }

  close(): void {
    this.db.close();
  }
}
