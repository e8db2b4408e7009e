/** A standalone Replica with ZooKeeper's default limits, for the replica unit tests. */
import { Replica, type RecoveredState, type ReplicaOptions } from '../../../server/replica/replica.js';
import { Rng } from '../../../util/rng.js';

/** The clock reading every replica unit test starts at. */
export const now = { nowMs: 1_000, wallMs: 1_700_000_000_000 };

/** A replica (standalone, tickTime 2 s, no super user) with `overrides` applied, fresh or `recovered`. */
export function testReplica(overrides: Partial<ReplicaOptions> = {}, recovered?: RecoveredState): Replica {
  return new Replica({
    serverId: 1,
    tickTimeMs: 2_000,
    minSessionTimeoutMs: 4_000,
    maxSessionTimeoutMs: 40_000,
    snapCount: 100_000,
    extendedTypesEnabled: false,
    skipAcl: false,
    reconfigEnabled: false,
    superDigest: null,
    containerCheckIntervalMs: 60_000,
    containerMaxNeverUsedIntervalMs: 0,
    rng: new Rng(1),
    startNowMs: 0,
    ...overrides,
  }, recovered);
}
