/**
 * Group commit for finished attempts. Attempts that finish while a batch is being written, or
 * in the same turn of the event loop, are written together in the next transaction, so a
 * dispatcher under load pays one transaction for many attempts and an idle one still records
 * each attempt at once.
 */
import { setImmediate as afterPendingCallbacks } from 'node:timers/promises';
import { type AttemptVerdict, type FinishedAttempt, recordAttempts } from './attempt-result.js';

type RecordContext = Parameters<typeof recordAttempts>[0];

interface Waiting {
  attempt: FinishedAttempt;
  resolve: (verdict: AttemptVerdict | null) => void;
  reject: (error: unknown) => void;
}

/** Bounds one transaction's statement sizes; a dispatcher rarely has more in flight. */
const MAX_BATCH = 128;

/** Records attempts in batches; one per dispatcher. */
export class AttemptRecorder {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly context: RecordContext,
    private readonly random: () => number,
  ) {}

  /** Records `attempt` with the next batch; resolves null when its lease was no longer ours. */
  record(attempt: FinishedAttempt): Promise<AttemptVerdict | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ attempt, resolve, reject });
      this.writing ??= this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    // Attempts whose answers arrived in the same turn of the event loop join this batch.
    await afterPendingCallbacks();
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        const verdicts = await recordAttempts(
          this.context,
          batch.map((waiting) => waiting.attempt),
          this.random,
        );
        batch.forEach((waiting, index) => {
          waiting.resolve(verdicts[index] ?? null);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.writing = undefined;
  }
}
