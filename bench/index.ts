/**
 * Benchmarks: a wire-level load generator, Corral-versus-ZooKeeper comparisons of throughput,
 * latency, memory and recovery, and a snapshot-stall probe; bench/README.md has the figures.
 * Benchmarks measure and report only: they never change a server's code or config beyond the
 * zoo.cfg they write into their own temp dirs, and never send traffic off 127.0.0.1.
 */
export { LatencyHistogram, REPORTED_QUANTILES, type LatencySummary } from './histogram.js';
export { WireSession, CONNECTION_LOSS, type ReplyHandler, type WireSessionOptions } from './wire-session.js';
export { bulkCreate, type BulkCreateOptions, type BulkCreateResult } from './bulk-create.js';
export { runLoad, prepareKeys, formatLoadResult, parseServer, type LoadOptions, type LoadResult } from './load.js';
export {
  startBenchServer,
  startOnPort,
  zookeeperInstalled,
  zookeeperHeapUsedBytes,
  type BenchServer,
  type ServerKind,
  type StartOptions,
} from './servers.js';
export { runOnServer, formatTable, SCENARIOS, type CompareOptions, type ScenarioRun } from './compare.js';
export {
  measureServer,
  populate,
  descendantCount,
  formatMemoryTable,
  type CorralRunOptions,
  type MemoryRun,
  type PopulateOptions,
} from './memory.js';
export { measureSnapshotStall, type PhaseResult } from './snapshot-stall.js';
export { summarise as summariseCpuProfile, type FunctionShare } from './profile-top.js';
