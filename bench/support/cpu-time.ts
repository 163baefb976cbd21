/**
 * CPU time spent by processes, read from /proc: user plus system time of every thread. Unlike a
 * rate, the CPU a piece of work costs barely moves when other work shares the machine, so it
 * shows where the time goes even on a busy host.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second as /proc reports them (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds used so far by the process `pid`, or 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The processes whose command name is `name` (e.g. `postgres`, `redis-server`). */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === name) pids.push(+entry);
    } catch {
      // The process ended while the folder was read.
    }
  }
  return pids;
}

/** What a measurement covers: processes by id and servers by command name. */
export interface CpuScope {
  /** Processes by id; a label per process names it in the breakdown (default `pid <n>`). */
  pids: number[];
  labels?: string[];
  /** Every process of that name, e.g. all PostgreSQL backends, whoever they serve. */
  names?: string[];
}

/** Measures the CPU that `scope` spends while `work` runs. */
export async function measureCpu<T>(
  scope: CpuScope,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number; parts: Map<string, number> }> {
  const total = () => {
    const named = (scope.names ?? []).flatMap((name) =>
      pidsNamed(name).map((pid): [number, string] => [pid, name]),
    );
    const labelled = scope.pids.map((pid, index): [number, string] => [
      pid,
      scope.labels?.[index] ?? `pid ${pid}`,
    ]);
    return new Map(
      [...labelled, ...named].map(([pid, label]) => [pid, { label, ms: cpuMsOf(pid) }]),
    );
  };
  const before = total();
  const result = await work();
  const after = total();
  let cpuMs = 0;
  const parts = new Map<string, number>();
  for (const [pid, { label, ms }] of after) {
    // Processes that started during the work (a new backend) count from zero.
    const spent = ms - (before.get(pid)?.ms ?? 0);
    cpuMs += spent;
    parts.set(label, (parts.get(label) ?? 0) + spent);
  }
  return { result, cpuMs, parts };
}

/** `parts` as CPU microseconds per item, e.g. `API 120 µs, postgres 300 µs`. */
export function describeParts(parts: Map<string, number>, items: number): string {
  return [...parts]
    .map(([label, ms]) => `${label} ${Math.round((ms * 1000) / items)} µs`)
    .join(', ');
}
