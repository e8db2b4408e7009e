/**
 * EnsembleShell's durable writes: two rounds of plain batches may overlap and are reported in
 * order; batches that queue behind them are written in order and made durable by one more fsync
 * (group commit), reported by the last batch's seq; and a batch's epochs never become durable
 * before the txns of an earlier batch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PersistBatch } from '../../../server/consensus/index.js';
import { parseZooCfg } from '../../../server/config/index.js';
import { EnsembleShell } from '../../../server/ensemble.js';
import { MemoryLogStore, MemorySnapshotStore } from '../../../server/storage/index.js';
import { silentLogger } from '../../../util/logger.js';
import { removeAllTempDirs, tempDir, until } from '../../helpers/index.js';

afterEach(async () => {
  await removeAllTempDirs();
});

/** A log whose fsyncs wait until released, recording the order of appends and syncs. */
class SlowLog extends MemoryLogStore {
  readonly events: string[] = [];
  readonly #waiting: (() => void)[] = [];

  override append(entries: Parameters<MemoryLogStore['append']>[0]): void {
    this.events.push(`append ${entries.map((e) => e.zxid).join(',')}`);
    super.append(entries);
  }

  override async sync(): Promise<void> {
    this.events.push('sync');
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return super.sync();
  }

  release(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  /** Lets only the newest waiting fsync finish. */
  releaseNewest(): void {
    this.#waiting.pop()?.();
  }
}

const entry = (n: number) => ({ zxid: (1n << 32n) + BigInt(n), data: new Uint8Array([n]) });
const batch = (seq: number, over: Partial<PersistBatch> = {}): PersistBatch => ({ seq, truncateAfter: null, snapshot: null, entries: [], epochs: null, ...over });

async function shell(logStore: SlowLog, persisted: number[]): Promise<EnsembleShell> {
  const dir = await tempDir('corral-shell-');
  mkdirSync(join(dir.path, 'version-2'));
  const cfg = `dataDir=${dir.path}\ninitLimit=5\nsyncLimit=2\nserver.1=127.0.0.1:1:2\nserver.2=127.0.0.1:3:4\nserver.3=127.0.0.1:5:6`;
  const { config } = parseZooCfg(cfg, { file: 'zoo.cfg', myidText: '1' });
  return new EnsembleShell({
    config,
    logStore,
    snapshots: new MemorySnapshotStore(),
    log: silentLogger(),
    onMessage: () => undefined,
    onPeerDisconnected: () => undefined,
    onPersisted: (seq) => persisted.push(seq),
    onFatal: (error) => {
      throw error;
    },
  });
}

/** A shell with batches 1 and 2 performed, both rounds' fsyncs started and held by the log. */
async function twoOverlappingRounds(): Promise<{ log: SlowLog; persisted: number[]; s: EnsembleShell }> {
  const log = new SlowLog();
  const persisted: number[] = [];
  const s = await shell(log, persisted);
  s.perform({ send: [], persist: [batch(1, { entries: [entry(1)] })] });
  s.perform({ send: [], persist: [batch(2, { entries: [entry(2)] })] });
  await until(() => log.events.length === 4, { timeoutMs: 5_000, what: 'two overlapping fsyncs' });
  return { log, persisted, s };
}

describe('EnsembleShell persist batches', () => {
  it('two rounds overlap; batches queued behind them share the next fsync and are reported by the last seq', async () => {
    const { log, persisted, s } = await twoOverlappingRounds();
    for (const seq of [3, 4]) s.perform({ send: [], persist: [batch(seq, { entries: [entry(seq)] })] });
    log.release();
    await until(() => log.events.length === 7, { timeoutMs: 5_000, what: 'the third fsync' });
    log.release();
    await until(() => persisted.length === 3, { timeoutMs: 5_000, what: 'three reports' });
    const appended = (n: number) => `append ${entry(n).zxid}`;
    expect(log.events).toEqual([appended(1), 'sync', appended(2), 'sync', appended(3), appended(4), 'sync']);
    expect(persisted).toEqual([1, 2, 4]);
    expect(log.lastSyncedZxid()).toBe(entry(4).zxid);
  });

  it('a round whose fsync finishes first is reported only after the round before it', async () => {
    const { log, persisted } = await twoOverlappingRounds();
    log.releaseNewest();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(persisted).toEqual([]);
    log.release();
    await until(() => persisted.length === 2, { timeoutMs: 5_000, what: 'both reports' });
    expect(persisted).toEqual([1, 2]);
  });

  it('an fsync comes between earlier txns and a later batch epochs', async () => {
    const log = new SlowLog();
    const persisted: number[] = [];
    const s = await shell(log, persisted);
    s.perform({ send: [], persist: [batch(1, { entries: [entry(1)] })] });
    await until(() => log.events.length === 2, { timeoutMs: 5_000, what: 'the first fsync' });
    s.perform({ send: [], persist: [batch(2, { entries: [entry(2)] }), batch(3, { epochs: { acceptedEpoch: 2, acceptedLeader: 1, currentEpoch: 1 } })] });
    await until(
      () => {
        log.release();
        return persisted.length === 2;
      },
      { timeoutMs: 5_000, what: 'both reports' },
    );
    expect(log.events).toEqual(['append 4294967297', 'sync', 'append 4294967298', 'sync', 'sync']);
    expect(persisted).toEqual([1, 3]);
  });
});
