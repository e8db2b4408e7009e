/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `compare.js --cpu-prof-dir`): the
 * functions with the most self time and the most inclusive time, as shares of all samples, so
 * the README can say where a server's time goes without opening a profiler UI.
 *
 * Run: node dist/bench/profile-top.js <file.cpuprofile> [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isMain } from './is-main.js';

/** The parts of a .cpuprofile this summary reads. */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds on the profiler's clock. */
  readonly startTime: number;
  readonly endTime: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** One function's share of the samples. */
export interface FunctionShare {
  readonly name: string;
  readonly selfPct: number;
  readonly totalPct: number;
}

/** A readable key: function name and the file (shortened to the part after dist/ or node_modules/). */
function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '');
  return `${functionName === '' ? '(anonymous)' : functionName} ${short === '' ? '' : `${short}:${lineNumber + 1}`}`.trim();
}

/** Self and inclusive shares per function; inclusive counts a function once per stack. */
export function summarise(profile: CpuProfile): FunctionShare[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const id of profile.samples) {
    const leaf = byId.get(id);
    if (leaf === undefined) continue;
    self.set(keyOf(leaf), (self.get(keyOf(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const node = byId.get(cur);
      if (node === undefined) break;
      const key = keyOf(node);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + 1);
    }
  }
  const n = Math.max(1, profile.samples.length);
  return [...total.entries()].map(([name, t]) => ({
    name,
    selfPct: (100 * (self.get(name) ?? 0)) / n,
    totalPct: (100 * t) / n,
  }));
}

/** The CLI: prints the top functions by self time, then by inclusive time. */
async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: profile-top <file.cpuprofile> [--top N]');
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const shares = summarise(profile);
  const top = Number(values.top);
  const spanS = (profile.endTime - profile.startTime) / 1e6;
  console.log(`${profile.samples.length} samples over ${spanS.toFixed(1)} s (1 % = ${(spanS * 10).toFixed(0)} ms)\n`);
  const line = (s: FunctionShare): string => `${s.selfPct.toFixed(1).padStart(6)} ${s.totalPct.toFixed(1).padStart(6)}  ${s.name}`;
  console.log('  self  total  function (by self time)');
  for (const s of [...shares].sort((a, b) => b.selfPct - a.selfPct).slice(0, top)) console.log(line(s));
  console.log('\n  self  total  function (by inclusive time)');
  for (const s of [...shares].sort((a, b) => b.totalPct - a.totalPct).slice(0, top)) console.log(line(s));
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
