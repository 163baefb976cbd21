/**
 * `tsx bench/profile/top-functions.ts <file.cpuprofile> [count] [filter]`: the functions that spent the
 * most CPU time themselves (self time), and the same grouped by file, from a V8 CPU profile
 * written by `node --cpu-prof` (the bench writes them with `--cpu-prof <dir>`).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const at = url.indexOf('node_modules/');
  if (at >= 0) return url.slice(at + 'node_modules/'.length);
  return url.replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
}

/** Milliseconds of self time per key. */
function selfTime(profile: CpuProfile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return totals;
}

function print(title: string, totals: Map<string, number>, all: number, count: number): void {
  console.log(`\n${title}`);
  const sorted = [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
  for (const [key, ms] of sorted) {
    console.log(
      `${((ms / all) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${key}`,
    );
  }
}

/**
 * Milliseconds spent in each function and everything it called (inclusive time), counting a
 * function once per sample even when it recurses.
 */
function inclusiveTime(profile: CpuProfile): Map<string, number> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      const key = `${node.callFrame.functionName || '(anonymous)'}  ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      totals.set(key, (totals.get(key) ?? 0) + ms);
    }
  });
  return totals;
}

const [file, countText, filter] = process.argv.slice(2);
if (!file) {
  console.error(
    'usage: tsx bench/profile/top-functions.ts <file.cpuprofile> [count] [inclusive-filter]',
  );
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const count = Number(countText ?? 30);
const all = (profile.endTime - profile.startTime) / 1000;
console.log(`${file}: ${all.toFixed(0)} ms profiled`);
print(
  'Top functions by self time',
  selfTime(profile, (n) => {
    const name = n.callFrame.functionName || '(anonymous)';
    return `${name}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  }),
  all,
  count,
);
print(
  'Self time by file or package',
  selfTime(profile, (n) => {
    const url = shortUrl(n.callFrame.url);
    if (url === '') return n.callFrame.functionName || '(native)';
    const parts = url.split('/');
    return parts[0]?.startsWith('@')
      ? parts.slice(0, 2).join('/')
      : url.startsWith('src/')
        ? url
        : (parts[0] ?? url);
  }),
  all,
  count,
);
if (filter) {
  const matching = new Map([...inclusiveTime(profile)].filter(([key]) => key.includes(filter)));
  print(`Inclusive time of functions matching "${filter}"`, matching, all, count);
}
