/**
 * Memory and recovery: on each server in turn (fresh temp dataDir, snapCount left at its default
 * of 100,000, so a restart loads the newest snapshot and replays the log after it), creates
 * 1,000,000 znodes of 100 bytes under a few parents with pipelined creates, reports how long that
 * took and the server's RSS (plus, for ZooKeeper, the Java heap used after a full GC via jcmd),
 * then stops it with SIGTERM, starts it again on the same data and times spawn -> first answer.
 * ZooKeeper runs with -Xmx2g here (the Debian default heap, 1/4 of RAM, would hide nothing but
 * makes RSS depend on the machine).
 *
 * Run: node dist/bench/memory.js [--count 1000000] [--value-bytes 100] [--parents 10]
 *        [--sessions 4] [--depth 200] [--only corral|zookeeper] [--corral-bin path/to/run.js]
 *        [--cpu-prof-dir dir]   (Corral under node --cpu-prof: one profile per start)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JuteReader, OpCode } from '../protocol/index.js';
import { bulkCreate, type BulkCreateResult } from './bulk-create.js';
import { isMain } from './is-main.js';
import { environment, ratio, writeResults } from './results.js';
import {
  type BenchServer,
  type ServerKind,
  startBenchServer,
  startOnPort,
  type StartOptions,
  zookeeperHeapUsedBytes,
  zookeeperInstalled,
} from './servers.js';
import { WireSession } from './wire-session.js';

/** How many znodes, how big, and how hard to push the creates. */
export interface PopulateOptions {
  readonly count: number;
  readonly valueBytes: number;
  readonly parents: number;
  readonly sessions: number;
  readonly depth: number;
}

/** The figures of one server. */
export interface MemoryRun {
  readonly kind: ServerKind;
  readonly create: BulkCreateResult;
  readonly createsPerSec: number;
  readonly znodesUnderM: number;
  readonly rssBytesAfterCreate: number;
  readonly heapUsedBytesAfterGc: number | null;
  readonly stopMs: number;
  readonly recoveryMs: number;
  readonly znodesUnderMAfterRecovery: number;
  readonly rssBytesAfterRecovery: number;
}

/** How to run Corral: another build's CLI, and a directory for `node --cpu-prof` profiles. */
export interface CorralRunOptions {
  readonly bin?: string;
  readonly cpuProfDir?: string;
}

/** The path of znode `i`: spread over `parents` parents under /m. */
export function memoryPath(i: number, parents: number): string {
  return `/m/p${i % parents}/n${i}`;
}

/** Creates /m, its parents and `count` znodes of `valueBytes` bytes on `server`. */
export async function populate(server: BenchServer, options: PopulateOptions): Promise<BulkCreateResult> {
  const sessions = await Promise.all(
    Array.from({ length: options.sessions }, () => WireSession.open({ host: server.host, port: server.port })),
  );
  try {
    const [first] = sessions as [WireSession];
    const empty = new Uint8Array(0);
    const parentPaths = ['/m', ...Array.from({ length: options.parents }, (_, p) => `/m/p${p}`)];
    const parents = await bulkCreate({ sessions: [first], count: parentPaths.length, pathOf: (i) => parentPaths[i] as string, data: empty, depth: 1, existsIsOk: true });
    if (Object.keys(parents.errors).length > 0) throw new Error(`creating parents failed: ${JSON.stringify(parents.errors)}`);
    const data = new Uint8Array(options.valueBytes).fill(0x6d);
    return await bulkCreate({ sessions, count: options.count, pathOf: (i) => memoryPath(i, options.parents), data, depth: options.depth });
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

/** getAllChildrenNumber of `path` (every descendant), or -1 on an error reply. */
export async function descendantCount(server: BenchServer, path: string): Promise<number> {
  const session = await WireSession.open({ host: server.host, port: server.port });
  try {
    const { err, payload } = await session.request({ op: OpCode.getAllChildrenNumber, path }, 60_000);
    if (err !== 0) return -1;
    return new JuteReader(payload.subarray(16)).readInt();
  } finally {
    await session.close();
  }
}

/** Runs the whole measurement on one server kind and removes its dir afterwards. */
export async function measureServer(kind: ServerKind, options: PopulateOptions, corral: CorralRunOptions = {}): Promise<MemoryRun> {
  const dir = await mkdtemp(join(tmpdir(), `corral-bench-memory-${kind}-`));
  const corralFlags = corral.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(corral.cpuProfDir)}`];
  const start: StartOptions = {
    kind,
    dir,
    runtimeFlags: kind === 'zookeeper' ? ['-Xmx2g'] : corralFlags,
    ...(corral.bin === undefined ? {} : { corralBin: corral.bin }),
  };
  let server = await startBenchServer(start);
  try {
    const create = await populate(server, options);
    const znodesUnderM = await descendantCount(server, '/m');
    const rssBytesAfterCreate = await server.rssBytes();
    const heap = kind === 'zookeeper' ? zookeeperHeapUsedBytes(server.pid) : null;
    const stopStartMs = performance.now();
    await server.stop();
    const stopMs = performance.now() - stopStartMs;
    server = await startOnPort(start, server.port);
    const run: MemoryRun = {
      kind,
      create,
      createsPerSec: Math.round((create.created * 1000) / create.elapsedMs),
      znodesUnderM,
      rssBytesAfterCreate,
      heapUsedBytesAfterGc: heap?.usedBytes ?? null,
      stopMs: Math.round(stopMs),
      recoveryMs: Math.round(server.readyMs),
      znodesUnderMAfterRecovery: await descendantCount(server, '/m'),
      rssBytesAfterRecovery: await server.rssBytes(),
    };
    console.log(`[${kind}] ${JSON.stringify(run)}`);
    return run;
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The side-by-side table. */
export function formatMemoryTable(runs: readonly MemoryRun[]): string {
  const mib = (b: number | null | undefined): string => (b === null || b === undefined ? '-' : (b / 2 ** 20).toFixed(0));
  const c = runs.find((r) => r.kind === 'corral');
  const z = runs.find((r) => r.kind === 'zookeeper');
  const row = (name: string, cv: string, zv: string, r: string): string =>
    `${name.padEnd(30)} | ${cv.padStart(10)} | ${zv.padStart(10)} | ${r.padStart(8)}`;
  const secs = (ms: number | undefined): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
  return [
    row('', 'Corral', 'ZooKeeper', 'C / ZK'),
    row('create time (s)', secs(c?.create.elapsedMs), secs(z?.create.elapsedMs), c && z ? ratio(c.create.elapsedMs, z.create.elapsedMs) : 'n/a'),
    row('creates/s', String(c?.createsPerSec ?? '-'), String(z?.createsPerSec ?? '-'), c && z ? ratio(c.createsPerSec, z.createsPerSec) : 'n/a'),
    row('RSS after create (MiB)', mib(c?.rssBytesAfterCreate), mib(z?.rssBytesAfterCreate), c && z ? ratio(c.rssBytesAfterCreate, z.rssBytesAfterCreate) : 'n/a'),
    row('ZK heap used after GC (MiB)', '-', mib(z?.heapUsedBytesAfterGc), 'n/a'),
    row('recovery: spawn -> answer (s)', secs(c?.recoveryMs), secs(z?.recoveryMs), c && z ? ratio(c.recoveryMs, z.recoveryMs) : 'n/a'),
    row('RSS after recovery (MiB)', mib(c?.rssBytesAfterRecovery), mib(z?.rssBytesAfterRecovery), c && z ? ratio(c.rssBytesAfterRecovery, z.rssBytesAfterRecovery) : 'n/a'),
    row('znodes under /m after recovery', String(c?.znodesUnderMAfterRecovery ?? '-'), String(z?.znodesUnderMAfterRecovery ?? '-'), ''),
  ].join('\n');
}

/** The CLI: flags as in the header comment. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      count: { type: 'string', default: '1000000' },
      'value-bytes': { type: 'string', default: '100' },
      parents: { type: 'string', default: '10' },
      sessions: { type: 'string', default: '4' },
      depth: { type: 'string', default: '200' },
      only: { type: 'string' },
      'corral-bin': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
  });
  const options: PopulateOptions = {
    count: Number(values.count),
    valueBytes: Number(values['value-bytes']),
    parents: Number(values.parents),
    sessions: Number(values.sessions),
    depth: Number(values.depth),
  };
  let kinds: ServerKind[] = values.only === 'corral' || values.only === 'zookeeper' ? [values.only] : ['corral', 'zookeeper'];
  if (kinds.includes('zookeeper') && !zookeeperInstalled()) {
    console.log('Apache ZooKeeper is not installed: Corral only.');
    kinds = kinds.filter((k) => k !== 'zookeeper');
  }
  const corral: CorralRunOptions = {
    ...(values['corral-bin'] === undefined ? {} : { bin: resolve(values['corral-bin']) }),
    ...(values['cpu-prof-dir'] === undefined ? {} : { cpuProfDir: values['cpu-prof-dir'] }),
  };
  const env = environment();
  const runs: MemoryRun[] = [];
  for (const kind of kinds) runs.push(await measureServer(kind, options, corral));
  console.log(`\n${formatMemoryTable(runs)}`);
  console.log(`\nresults: ${await writeResults('memory', { environment: env, options, runs })}`);
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
