/**
 * One clock for stamps taken in different processes: the wall-clock instant the process
 * started plus a monotonic offset, in milliseconds with sub-millisecond precision. Two
 * processes on one machine agree on it to well under a millisecond.
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}
