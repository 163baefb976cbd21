/**
 * The progress of `lyceum export` on stderr: a bar redrawn in place when stderr is a terminal,
 * nothing while running otherwise (a log file wants no carriage returns), and a final line in
 * both cases. Lists have no total, so the bar measures how far through the time window the last
 * row is; rows come in time order.
 */

/** Reports progress to a stream. */
export class ExportProgress {
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly window: { since: number | null; until: number },
  ) {}

  /** Redraws the bar after a page; `at` is the time of the last row, if the rows have one. */
  update(count: number, at: number | undefined): void {
    if (!this.stream.isTTY) return;
    const fraction = this.fraction(at);
    const width = 30;
    const filled = fraction === undefined ? 0 : Math.round(fraction * width);
    const bar =
      fraction === undefined
        ? ''
        : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% `;
    this.stream.write(`\r\x1b[2K${bar}${count.toLocaleString('en-US')} ${this.label}`);
    this.drawn = true;
  }

  /** Ends the bar with one line that says what happened. */
  finish(line: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
  }

  private fraction(at: number | undefined): number | undefined {
    if (at === undefined || Number.isNaN(at)) return undefined;
    const start = this.window.since ?? this.firstSeen(at);
    const span = this.window.until - start;
    if (span <= 0) return 1;
    return Math.min(1, Math.max(0, (at - start) / span));
  }

  private first: number | undefined;

  /** Without a lower bound the window starts at the first row seen. */
  private firstSeen(at: number): number {
    this.first ??= at;
    return this.first;
  }
}
