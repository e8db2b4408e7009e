/**
 * The shared test harness: bounded polling, temp dirs, ports, four-letter words, and real server
 * processes (Corral's built CLI and Apache ZooKeeper 3.8) plus zkCli.sh, every child tracked and
 * killed with its process group by `reapAll()`. Test-only code: it must never be imported by
 * production folders, and it must never leave a process or a temp dir behind.
 */
export { until, type UntilOptions } from './until.js';
export { tempDir, removeAllTempDirs, type TempDir } from './temp-dir.js';
export { reservePort, reservePorts } from './reserve-port.js';
export { fourLetterWord } from './four-letter-word.js';
export {
  reapAll,
  spawnTracked,
  signalGroup,
  stopProcess,
  waitForExit,
  type TrackedProcess,
} from './processes.js';
export {
  type ServerHandle,
  type ServerKind,
  type ZooCfg,
  renderZooCfg,
  writeZooCfg,
} from './server-handle.js';
export { startCorral, corralBin, repoRoot, type StartCorralOptions } from './corral.js';
export { nextMember, startCorralEnsemble, type CorralEnsemble, type CorralEnsembleOptions } from './corral-ensemble.js';
export { ensemblePerTest, type EnsembleFixture } from './ensemble-fixture.js';
export {
  startZooKeeper,
  zookeeperAvailable,
  zookeeperAvailability,
  zookeeperClasspath,
  zookeeperHome,
  zkCliScript,
  type StartZooKeeperOptions,
} from './zookeeper.js';
export { zkCli, type ZkCliResult } from './zk-cli.js';
