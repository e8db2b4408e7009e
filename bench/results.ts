/**
 * Where the benchmarks put their JSON (bench/results/, git-ignored) and the facts about the
 * machine that make a figure interpretable later: CPUs, load, memory, Node and Java versions.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './servers.js';

/** The machine a run happened on. */
export interface Environment {
  readonly when: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly loadAverage1m: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly java: string | null;
  readonly corralCommit: string | null;
}

/** Collects the Environment now (the load average says how busy the shared machine was). */
export function environment(): Environment {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: repoRoot });
  return {
    when: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverage1m: loadavg()[0] ?? 0,
    memoryBytes: totalmem(),
    node: process.version,
    java: java.status === 0 ? (java.stderr.split('\n')[0] ?? '').trim() : null,
    corralCommit: commit.status === 0 ? commit.stdout.trim() : null,
  };
}

/** Writes `data` as bench/results/<name>-<timestamp>.json and returns the path. */
export async function writeResults(name: string, data: unknown): Promise<string> {
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** A ratio for the tables, or "n/a" when the denominator is missing or zero. */
export function ratio(a: number, b: number | undefined): string {
  return b === undefined || b === 0 ? 'n/a' : (a / b).toFixed(2);
}
