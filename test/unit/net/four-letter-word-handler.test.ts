import { describe, expect, it } from 'vitest';
import {
  connectionBuckets,
  FourLetterWords,
  type FourLetterWordSource,
  type ListenerStats,
} from '../../../server/net/four-letter-word-handler.js';
import { notServingText, parseWhitelist, type ConnectionStatsView } from '../../../server/net/four-letter-words.js';
import { ManualClock } from '../../../util/clock.js';

function source(overrides: Partial<FourLetterWordSource> = {}): FourLetterWordSource {
  return {
    isServing: () => true,
    summary: () => ({ lastZxid: 3n, mode: 'standalone', nodeCount: 7, proposalSizes: null }),
    confText: () => 'clientPort=2181\n',
    dataWatches: () => [{ sessionId: 0x10n, paths: ['/a'] }],
    sessionBuckets: () => [],
    ephemerals: () => [],
    digests: () => [],
    monitorValues: () => ({ watchCount: 0, ephemeralsCount: 0, approximateDataSizeBytes: 0, globalSessions: 0, localSessions: 0, authFailedCount: 0, extra: [] }),
    dirSizes: async () => ({ dataDirBytes: 457, logDirBytes: 12 }),
    ...overrides,
  };
}

/** Listener stats that count resets, with no connections. */
function listenerStats(): ListenerStats & { resets: string[] } {
  const resets: string[] = [];
  return {
    resets,
    serverStats: () => ({
      latencyMinMs: 0, latencyAvgMs: 0, latencyMaxMs: 0, packetsReceived: 1, packetsSent: 0,
      connectionCount: 1, outstandingRequests: 0, lastResponseBytes: -1, minResponseBytes: -1, maxResponseBytes: -1,
    }),
    connections: () => [],
    resetConnectionStats: () => resets.push('connections'),
    resetServerStats: () => resets.push('server'),
  };
}

function handler(src: FourLetterWordSource, whitelist = '*'): FourLetterWords {
  return new FourLetterWords({ source: src, whitelist: parseWhitelist(whitelist), versionText: 'v', clock: new ManualClock() });
}

describe('FourLetterWords', () => {
  it('refuses words outside the whitelist but always answers srvr', async () => {
    const h = handler(source(), 'ruok');
    expect(await h.respond('stat', null, listenerStats())).toBe('stat is not executed because it is not in the whitelist.\n');
    expect(await h.respond('ruok', null, listenerStats())).toBe('imok');
    expect(await h.respond('srvr', null, listenerStats())).toMatch(/^Zookeeper version: v\n/);
  });

  it('prints the not-serving text while the server is not serving; ruok still says imok and isro null', async () => {
    const h = handler(source({ isServing: () => false }));
    for (const word of ['srvr', 'stat', 'cons', 'conf', 'wchs', 'dump', 'mntr', 'dirs', 'hash', 'crst', 'srst'] as const) {
      expect(await h.respond(word, null, listenerStats())).toBe(notServingText);
    }
    expect(await h.respond('ruok', null, listenerStats())).toBe('imok');
    expect(await h.respond('isro', null, listenerStats())).toBe('null');
  });

  it('isro says rw, or ro on a read-only server', async () => {
    expect(await handler(source()).respond('isro', null, listenerStats())).toBe('rw');
    const readOnly = source({ summary: () => ({ lastZxid: 0n, mode: 'read-only', nodeCount: 5, proposalSizes: null }) });
    expect(await handler(readOnly).respond('isro', null, listenerStats())).toBe('ro');
  });

  it('gtmk starts at 306 and stmk sets the mask that gtmk then reports', async () => {
    const h = handler(source());
    expect(await h.respond('gtmk', null, listenerStats())).toBe('306');
    expect(await h.respond('stmk', 0x1ffn, listenerStats())).toBe('511');
    expect(await h.respond('gtmk', null, listenerStats())).toBe('511');
  });

  it('crst and srst reset the listener counters they name', async () => {
    const stats = listenerStats();
    const h = handler(source());
    expect(await h.respond('crst', null, stats)).toBe('Connection stats reset.\n');
    expect(await h.respond('srst', null, stats)).toBe('Server stats reset.\n');
    expect(stats.resets).toEqual(['connections', 'server']);
  });

  it('conf, dirs and the watch words read the source', async () => {
    const h = handler(source());
    expect(await h.respond('conf', null, listenerStats())).toBe('clientPort=2181\n');
    expect(await h.respond('dirs', null, listenerStats())).toBe('datadir_size: 457\nlogdir_size: 12\n');
    expect(await h.respond('wchc', null, listenerStats())).toBe('0x10\n\t/a\n\n');
  });
});

describe('connectionBuckets (dump)', () => {
  const conn = (port: number, sessionId: bigint | null): ConnectionStatsView => ({
    remoteAddress: '127.0.0.1',
    remotePort: port,
    interestOps: 1,
    queued: 0,
    recved: 0,
    sent: 0,
    session:
      sessionId === null
        ? null
        : { sessionId, lastOp: 'NA', establishedWallMs: 0, timeoutMs: 30000, lastCxid: -1, lastZxid: -1n, lastResponseMs: 0, lastLatencyMs: 0, minLatencyMs: 0, avgLatencyMs: 0, maxLatencyMs: 0 },
  });

  it('puts a connection in its session\'s expiry bucket and a sessionless one 10 s out, sorted by time', () => {
    const buckets = connectionBuckets([conn(1, null), conn(2, 0x5n)], [{ expireAtWallMs: 40_000, sessionIds: [0x5n] }], 1_000);
    expect(buckets).toEqual([
      { expireAtWallMs: 11_000, connections: [{ remote: '127.0.0.1:1', sessionId: 0n }] },
      { expireAtWallMs: 40_000, connections: [{ remote: '127.0.0.1:2', sessionId: 0x5n }] },
    ]);
  });
});
