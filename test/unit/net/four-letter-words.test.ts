// Expected texts are copied from ZooKeeper 3.8.0 standalone (whitelist `*`), captured on this
// machine with a raw socket; only our version text differs from theirs.
import { describe, expect, it } from 'vitest';
import {
  formatCons,
  formatDirs,
  formatDump,
  formatEnvi,
  formatHash,
  formatMntr,
  formatNotWhitelisted,
  formatServerStats,
  formatWchc,
  formatWchp,
  formatWchs,
  javaDateString,
  javaDouble,
  parseWhitelist,
  type ConnectionStatsView,
  type ServerStatsView,
} from '../../../server/net/four-letter-words.js';

const zkVersion = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC';

const sessionConnection: ConnectionStatsView = {
  remoteAddress: '127.0.0.1',
  remotePort: 40992,
  interestOps: 1,
  queued: 0,
  recved: 6,
  sent: 6,
  session: {
    sessionId: 0x100000974f70000n,
    lastOp: 'GETC',
    establishedWallMs: 1795429417211,
    timeoutMs: 30000,
    lastCxid: 4,
    lastZxid: 3n,
    lastResponseMs: 642218,
    lastLatencyMs: 2,
    minLatencyMs: 0,
    avgLatencyMs: 4,
    maxLatencyMs: 12,
  },
};

const fourLetterConnection: ConnectionStatsView = {
  remoteAddress: '127.0.0.1',
  remotePort: 40998,
  interestOps: 0,
  queued: 0,
  recved: 1,
  sent: 0,
  session: null,
};

const busyStats: ServerStatsView = {
  latencyMinMs: 0,
  latencyAvgMs: 13 / 3,
  latencyMaxMs: 12,
  packetsReceived: 7,
  packetsSent: 7,
  connectionCount: 2,
  outstandingRequests: 0,
  lastResponseBytes: 112,
  minResponseBytes: 22,
  maxResponseBytes: 112,
};

describe('srvr and stat (Format A, StatCommand)', () => {
  it('srvr on an idle standalone server prints 0.0 average latency and the node count', () => {
    const idle: ServerStatsView = { ...busyStats, latencyAvgMs: 0, latencyMaxMs: 0, packetsReceived: 2, packetsSent: 1, connectionCount: 1 };
    const text = formatServerStats({
      versionText: zkVersion,
      stats: idle,
      replica: { lastZxid: 0n, mode: 'standalone', nodeCount: 5, proposalSizes: null },
      connections: null,
    });
    expect(text).toBe(
      `Zookeeper version: ${zkVersion}\nLatency min/avg/max: 0/0.0/0\nReceived: 2\nSent: 1\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n`,
    );
  });

  it('stat inserts the brief client lines after the version and rounds the average to 4 digits', () => {
    const text = formatServerStats({
      versionText: zkVersion,
      stats: busyStats,
      replica: { lastZxid: 3n, mode: 'standalone', nodeCount: 7, proposalSizes: null },
      connections: [sessionConnection, fourLetterConnection],
    });
    expect(text).toBe(
      `Zookeeper version: ${zkVersion}\nClients:\n /127.0.0.1:40992[1](queued=0,recved=6,sent=6)\n /127.0.0.1:40998[0](queued=0,recved=1,sent=0)\n\n` +
        'Latency min/avg/max: 0/4.3333/12\nReceived: 7\nSent: 7\nConnections: 2\nOutstanding: 0\nZxid: 0x3\nMode: standalone\nNode count: 7\n',
    );
  });

  it('a leader adds the proposal sizes line and a read-only server its banner', () => {
    const leader = formatServerStats({
      versionText: 'v',
      stats: busyStats,
      replica: { lastZxid: 0x100000002n, mode: 'leader', nodeCount: 5, proposalSizes: { lastBytes: -1, minBytes: -1, maxBytes: -1 } },
      connections: null,
    });
    expect(leader).toContain('Zxid: 0x100000002\nMode: leader\nNode count: 5\nProposal sizes last/min/max: -1/-1/-1\n');
    const readOnly = formatServerStats({ versionText: 'v', stats: busyStats, replica: { lastZxid: 1n, mode: 'read-only', nodeCount: 5, proposalSizes: null }, connections: null });
    expect(readOnly.split('\n')[1]).toBe('READ-ONLY mode; serving only read-only clients');
  });
});

describe('cons (Format C, ServerCnxn.dumpConnectionInfo)', () => {
  it('prints the session part only for connections with a session, then an empty line', () => {
    expect(formatCons([fourLetterConnection, sessionConnection])).toBe(
      ' /127.0.0.1:40998[0](queued=0,recved=1,sent=0)\n' +
        ' /127.0.0.1:40992[1](queued=0,recved=6,sent=6,sid=0x100000974f70000,lop=GETC,est=1795429417211,to=30000,lcxid=0x4,lzxid=0x3,lresp=642218,llat=2,minlat=0,avglat=4,maxlat=12)\n\n',
    );
  });

  it('leaves out lcxid before any reply and prints lzxid -1 as 64-bit hex', () => {
    const fresh: ConnectionStatsView = {
      ...sessionConnection,
      interestOps: 5,
      session: { ...sessionConnection.session!, lastOp: 'NA', lastCxid: -1, lastZxid: -1n },
    };
    expect(formatCons([fresh])).toContain('[5](queued=0,recved=6,sent=6,sid=0x100000974f70000,lop=NA,est=1795429417211,to=30000,lzxid=0xffffffffffffffff,lresp=');
  });

  it('prints only the empty line when there are no connections', () => {
    expect(formatCons([])).toBe('\n');
  });
});

describe('watch words (wchs, wchc, wchp)', () => {
  const watches = [{ sessionId: 0x100000974f70000n, paths: ['/p', '/e1'] }];

  it('wchs counts connections, distinct paths and watches', () => {
    expect(formatWchs(watches)).toBe('1 connections watching 2 paths\nTotal watches:2\n');
    expect(formatWchs([])).toBe('0 connections watching 0 paths\nTotal watches:0\n');
  });

  it('wchc lists paths under each session id', () => {
    expect(formatWchc(watches)).toBe('0x100000974f70000\n\t/p\n\t/e1\n\n');
    expect(formatWchc([])).toBe('\n');
  });

  it('wchp lists session ids under each path', () => {
    expect(formatWchp(watches)).toBe('/p\n\t0x100000974f70000\n/e1\n\t0x100000974f70000\n\n');
    expect(formatWchp([{ sessionId: 1n, paths: ['/a'] }, { sessionId: 2n, paths: ['/a'] }])).toBe('/a\n\t0x1\n\t0x2\n\n');
  });
});

describe('dump (Format D, DumpCommand)', () => {
  it('prints session buckets, ephemerals and connection buckets with Java dates', () => {
    const text = formatDump({
      sessionBuckets: [{ expireAtWallMs: Date.UTC(2026, 10, 23, 10, 24, 9), sessionIds: [0x100000974f70000n] }],
      ephemerals: [{ sessionId: 0x100000974f70000n, paths: ['/e1'] }],
      connectionBuckets: [
        { expireAtWallMs: Date.UTC(2026, 10, 23, 10, 23, 45), connections: [] },
        { expireAtWallMs: Date.UTC(2026, 10, 23, 10, 23, 55), connections: [{ remote: '127.0.0.1:41028', sessionId: 0n }] },
        { expireAtWallMs: Date.UTC(2026, 10, 23, 10, 24, 15), connections: [{ remote: '127.0.0.1:40992', sessionId: 0x100000974f70000n }] },
      ],
    });
    expect(text).toBe(
      'SessionTracker dump:\nSession Sets (1)/(1):\n1 expire at Mon Nov 23 10:24:09 UTC 2026:\n\t0x100000974f70000\n' +
        'ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x100000974f70000:\n\t/e1\n' +
        'Connections dump:\nConnections Sets (3)/(2):\n0 expire at Mon Nov 23 10:23:45 UTC 2026:\n' +
        '1 expire at Mon Nov 23 10:23:55 UTC 2026:\n\tip: /127.0.0.1:41028 sessionId: 0x0\n' +
        '1 expire at Mon Nov 23 10:24:15 UTC 2026:\n\tip: /127.0.0.1:40992 sessionId: 0x100000974f70000\n',
    );
  });

  it('formats dates like java.util.Date.toString in UTC, zero-padded', () => {
    expect(javaDateString(0)).toBe('Thu Jan 01 00:00:00 UTC 1970');
    expect(javaDateString(Date.UTC(2024, 1, 29, 7, 5, 3))).toBe('Thu Feb 29 07:05:03 UTC 2024');
  });
});

describe('mntr (MonitorCommand)', () => {
  it('prints zk_-prefixed, tab-separated lines; latency average as a Java double', () => {
    const text = formatMntr([
      ['version', zkVersion],
      ['server_state', 'standalone'],
      ['avg_latency', 13 / 3],
      ['min_latency', 0],
      ['connection_drop_probability', 0],
      ['last_client_response_size', -1],
      ['approximate_data_size', 44],
    ]);
    expect(text).toBe(
      `zk_version\t${zkVersion}\nzk_server_state\tstandalone\nzk_avg_latency\t4.3333\nzk_min_latency\t0\n` +
        'zk_connection_drop_probability\t0.0\nzk_last_client_response_size\t-1\nzk_approximate_data_size\t44\n',
    );
  });
});

describe('small words', () => {
  it('dirs, hash, envi and the whitelist refusal use their exact texts', () => {
    expect(formatDirs({ dataDirBytes: 457, logDirBytes: 457 })).toBe('datadir_size: 457\nlogdir_size: 457\n');
    expect(formatHash([])).toBe('');
    expect(formatHash([{ zxid: 0x80n, digest: 1234567890123n }])).toBe('0x80: 1234567890123\n');
    expect(formatEnvi([['host.name', 'localhost'], ['os.name', 'Linux']])).toBe('Environment:\nhost.name=localhost\nos.name=Linux\n');
    expect(formatNotWhitelisted('stat')).toBe('stat is not executed because it is not in the whitelist.\n');
  });

  it('javaDouble appends .0 to integral values only', () => {
    expect(javaDouble(0)).toBe('0.0');
    expect(javaDouble(2)).toBe('2.0');
    expect(javaDouble(1.5584)).toBe('1.5584');
  });
});

describe('parseWhitelist (FourLetterCommands)', () => {
  it('allows only srvr when unset', () => {
    expect([...parseWhitelist(null, { readOnlyModeEnabled: false })]).toEqual(['srvr']);
  });

  it('trims names, ignores unknown ones and always adds srvr', () => {
    const allowed = parseWhitelist(' stat , ruok,bogus', { readOnlyModeEnabled: false });
    expect([...allowed].sort()).toEqual(['ruok', 'srvr', 'stat']);
  });

  it('* allows every word; read-only mode adds isro', () => {
    expect(parseWhitelist('*', { readOnlyModeEnabled: false }).size).toBe(18);
    expect(parseWhitelist('ruok', { readOnlyModeEnabled: true }).has('isro')).toBe(true);
  });
});

describe('parseWhitelist input forms', () => {
  it('accepts names already split by the config parser', () => {
    expect([...parseWhitelist(['ruok', 'stat'])].sort()).toEqual(['ruok', 'srvr', 'stat']);
    expect(parseWhitelist(new Set(['*'])).size).toBe(18);
  });
});
