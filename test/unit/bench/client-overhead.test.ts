import { describe, expect, it } from 'vitest';
import {
  type ClientRun,
  clientOrder,
  formatRounds,
  keyPaths,
  type OverheadOptions,
  runPipelined,
  validateOverheadOptions,
} from '../../../bench/client-overhead.js';
import type { ClientKind, GetDataClient } from '../../../bench/getdata-clients.js';
import { LatencyHistogram } from '../../../bench/histogram.js';

const options: OverheadOptions = { clients: 1, depth: 4, valueBytes: 3, keys: 5, durationMs: 30, warmupMs: 0, rounds: 2, serverWarmupMs: 0 };

/** A session answering every getData on the next macrotask, recording how deep its pipeline got. */
class FakeSession implements GetDataClient {
  readonly kind: ClientKind = 'zkclient';
  readonly paths: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #length: (path: string) => number;

  constructor(length: (path: string) => number) {
    this.#length = length;
  }

  getData(path: string): Promise<number> {
    this.paths.push(path);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) =>
      setImmediate(() => {
        this.inFlight--;
        resolve(this.#length(path));
      }),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function run(client: ClientKind, opsPerSec: number, cpuUsPerOp: number): ClientRun {
  const h = new LatencyHistogram();
  h.record(1000);
  return {
    client,
    completed: 1,
    measuredMs: 1000,
    opsPerSec,
    latency: h.summary(),
    cpuUserUs: 0,
    cpuSystemUs: 0,
    cpuUsPerOp,
    errors: {},
    loadAverage1m: 1,
  };
}

describe('client-overhead benchmark', () => {
  it('runPipelined keeps at most depth requests in flight per session and drains them all', async () => {
    const sessions = [new FakeSession(() => 3), new FakeSession(() => 3)];
    const result = await runPipelined(sessions, options);
    for (const s of sessions) {
      expect(s.maxInFlight).toBe(options.depth);
      expect(s.inFlight).toBe(0);
    }
    expect(result.completed).toBeLessThanOrEqual(sessions[0]!.paths.length + sessions[1]!.paths.length);
    expect(result.errors).toEqual({});
    expect(result.cpuUsPerOp).toBe(result.completed === 0 ? 0 : (result.cpuUserUs + result.cpuSystemUs) / result.completed);
  });

  it('runPipelined reads the keys round-robin, starting each session at its own offset', async () => {
    const sessions = [new FakeSession(() => 3), new FakeSession(() => 3)];
    await runPipelined(sessions, options);
    expect(sessions[0]!.paths.slice(0, 6)).toEqual([...keyPaths(5), '/bench/k0']);
    expect(sessions[1]!.paths[0]).toBe(`/bench/k${7919 % 5}`);
  });

  it('runPipelined counts replies of the wrong length as errors, never as completed ops', async () => {
    const session = new FakeSession(() => 2);
    const result = await runPipelined([session], options);
    expect(result.completed).toBe(0);
    expect(result.latency.count).toBe(0);
    expect(Object.keys(result.errors).every((k) => k === 'WrongLength')).toBe(true);
  });

  it('clientOrder alternates which client goes first', () => {
    expect(clientOrder(0)).toEqual(['zkclient', 'node-zookeeper-client']);
    expect(clientOrder(1)).toEqual(['node-zookeeper-client', 'zkclient']);
    expect(clientOrder(2)).toEqual(clientOrder(0));
  });

  it('formatRounds puts both clients on one row with ops ratio Zk/NZC and CPU ratio NZC/Zk', () => {
    const text = formatRounds([{ server: 'corral', round: 1, runs: [run('zkclient', 3000, 10), run('node-zookeeper-client', 1000, 40)], raw: undefined }]);
    const cells = (text.split('\n')[2] ?? '').split('|').map((c) => c.trim());
    expect(cells.slice(0, 7)).toEqual(['corral', '1', '3000', '1000', '3.00', '10.00 / 40.00', '4.00']);
    expect(text).toContain('errors: none');
  });

  it('validateOverheadOptions rejects non-positive counts and unbounded runs', () => {
    expect(() => validateOverheadOptions(options)).not.toThrow();
    expect(() => validateOverheadOptions({ ...options, depth: 0 })).toThrow(RangeError);
    expect(() => validateOverheadOptions({ ...options, clients: 1.5 })).toThrow(RangeError);
    expect(() => validateOverheadOptions({ ...options, valueBytes: -1 })).toThrow(RangeError);
    expect(() => validateOverheadOptions({ ...options, durationMs: 600_000, warmupMs: 1 })).toThrow(RangeError);
  });
});
