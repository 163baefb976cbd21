/**
 * The resident memory of this process, sampled while a measurement runs: the peak is what the
 * operator has to provision for.
 */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** The largest RSS seen so far, in MiB. */
  peakMiB(): number {
    this.sample();
    return this.peak / (1024 * 1024);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
}
