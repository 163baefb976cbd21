/**
 * The sizes of one bench run. `--quick` shrinks every figure to fit in under two minutes; the
 * full run is what docs/performance.md is meant to hold.
 */

export interface BenchOptions {
  quick: boolean;
  /** Database engines to run the webhook figures on. */
  dialects: Array<'sqlite' | 'postgres'>;
  rest: { connections: number; warmupSeconds: number; durationSeconds: number };
  /** Receivers answering 200 at once; every event goes to each of them. */
  receivers: number;
  /** Times each throughput is measured, alternating with its baseline; the best run counts. */
  repeats: number;
  /** Attempts in flight at once, for Lyceum and for both baselines. */
  concurrency: number;
  /**
   * `events` committed by `writers` writers at once, as an API answering that many requests at
   * a time would; the BullMQ baseline enqueues from as many producers. Each system first runs
   * a burst of `warmupEvents` in the same process, unmeasured, so the figure is the steady
   * state of a running process rather than its first seconds of compiling hot code.
   */
  throughput: { events: number; writers: number; warmupEvents: number };
  /** A steady offered load; the first `warmupMs` of it are left out of the percentiles. */
  latency: { rate: number; durationMs: number; warmupMs: number };
  backlog: {
    big: number;
    small: number;
    /** One measured slice; each backlog is measured for `repeats` slices after the warm-up. */
    sliceMs: number;
    /** Deliveries left out at the start, while the process warms up. */
    warmup: number;
  };
  /** The quick run checks fairness on the embedded default only, to stay under two minutes. */
  fairness: { events: number; timeoutMs: number; dialects: Array<'sqlite' | 'postgres'> };
  /** Write a CPU profile of every Lyceum dispatcher process into this folder. */
  cpuProfileDir: string | undefined;
  /** Only run the figures whose name contains one of these words. */
  only: string[];
}

/** Reads the options from the command line (`--quick`, `--only rest,latency`, `--cpu-prof dir`). */
export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const flagValue = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const only = flagValue('--only')?.split(',').filter(Boolean) ?? [];
  return {
    quick,
    dialects: ['sqlite', 'postgres'],
    rest: quick
      ? { connections: 32, warmupSeconds: 1, durationSeconds: 3 }
      : { connections: 32, warmupSeconds: 3, durationSeconds: 10 },
    repeats: quick ? 2 : 3,
    receivers: 4,
    concurrency: 64,
    throughput: { events: quick ? 600 : 2000, writers: 8, warmupEvents: quick ? 200 : 500 },
    latency: { rate: 100, durationMs: quick ? 3000 : 10_000, warmupMs: quick ? 1000 : 2000 },
    backlog: quick
      ? { big: 100_000, small: 1000, sliceMs: 2000, warmup: 1000 }
      : { big: 1_000_000, small: 1000, sliceMs: 8000, warmup: 2000 },
    fairness: {
      events: quick ? 500 : 1500,
      timeoutMs: 2000,
      dialects: quick ? ['sqlite'] : ['sqlite', 'postgres'],
    },
    cpuProfileDir: flagValue('--cpu-prof'),
    only,
  };
}
