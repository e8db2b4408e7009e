/**
 * Read-only mode of an ensemble member without a quorum (readonlymode.enabled), driven through
 * the pure replica with a consensus core that never hears from its peers. The rules are those a
 * ZooKeeper 3.8.0 ensemble showed (no local sessions): after max(2000 ms, tickTime) without a
 * quorum, an existing session re-attaches read-only, reads work, writes and sync answer
 * NOTREADONLY; a new session gets NOTREADONLY with xid 0 and a close; a client that did not ask
 * for read-only is closed without a reply.
 */
import { describe, expect, it } from 'vitest';
import { OpCode, type ConnectRequest } from '../../../protocol/index.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { ConsensusCore, DEFAULT_CONSENSUS_TUNING } from '../../../server/consensus/index.js';
import { GroupLink } from '../../../server/replica/group-link.js';
import type { Replica } from '../../../server/replica/replica.js';
import { sessionPassword } from '../../../server/session/index.js';
import { DataTree } from '../../../server/tree/index.js';
import { Rng } from '../../../util/rng.js';
import { testReplica } from './replica-fixture.js';

const sessionId = 0x0200_0000_0000_0001n;
const at = (nowMs: number) => ({ nowMs, wallMs: 1_700_000_000_000 + nowMs });

function member(readOnlyModeEnabled: boolean): Replica {
  const core = new ConsensusCore({
    options: { ...DEFAULT_CONSENSUS_TUNING, myId: 1, voters: [1, 2, 3], observers: [] },
    recovered: { acceptedEpoch: 1, acceptedLeader: 2, currentEpoch: 1, snapshotZxid: 0x1_0000_0005n, entries: [] },
    rng: new Rng(7),
  });
  const tree = new DataTree();
  return testReplica(
    {
      tickTimeMs: 500,
      minSessionTimeoutMs: 1_000,
      maxSessionTimeoutMs: 10_000,
      group: new GroupLink(core, 1, { voters: [1, 2, 3], observers: [], syncLimitTicks: 5 }),
      readOnlyModeEnabled,
    },
    { tree, sessions: [{ sessionId, timeoutMs: 10_000 }], zxid: 0x1_0000_0005n },
  );
}

const connect = (options: { sessionId: bigint; readOnly: boolean | null }): ConnectRequest => ({
  protocolVersion: 0,
  lastZxidSeen: 0n,
  timeOut: 10_000,
  sessionId: options.sessionId,
  passwd: options.sessionId === 0n ? new Uint8Array(16) : sessionPassword(options.sessionId),
  readOnly: options.readOnly,
});

function outputOf(r: Replica) {
  const rd = r.ready();
  r.advance();
  return { out: rd.out, closes: rd.closes };
}

describe('read-only mode', () => {
  it('waits max(2000 ms, tickTime) without a quorum before serving read-only clients', () => {
    const r = member(true);
    r.connectionOpened(1, { remoteAddress: '127.0.0.1', remotePort: 1 });
    r.connectRequest(1, connect({ sessionId, readOnly: true }), at(1_999));
    expect(outputOf(r)).toEqual({ out: [], closes: [1] });
    expect(r.mode).toBe('looking');
    r.tick(at(2_000));
    expect(r.mode).toBe('read-only');
  });

  it('re-attaches an existing session read-only: reads answer, writes and sync answer NOTREADONLY', () => {
    const r = member(true);
    r.tick(at(5_000));
    r.connectionOpened(1, { remoteAddress: '127.0.0.1', remotePort: 1 });
    r.connectRequest(1, connect({ sessionId, readOnly: true }), at(5_000));
    expect(outputOf(r).out).toMatchObject([{ kind: 'connect', response: { sessionId, timeOut: 10_000, readOnly: true } }]);
    r.request(1, { xid: 1, type: OpCode.exists }, { op: OpCode.exists, path: '/zookeeper', watch: false }, at(5_001));
    r.request(1, { xid: 2, type: OpCode.setData }, { op: OpCode.setData, path: '/zookeeper', data: null, version: -1 }, at(5_002));
    r.request(1, { xid: 3, type: OpCode.sync }, { op: OpCode.sync, path: '/' }, at(5_003));
    r.request(1, { xid: 4, type: OpCode.closeSession }, { op: OpCode.closeSession }, at(5_004));
    const { out, closes } = outputOf(r);
    expect(out.map((o) => (o.kind === 'reply' ? [o.header.xid, o.header.err, o.header.zxid] : o.kind))).toEqual([
      [1, ErrorCode.Ok, 0x1_0000_0005n],
      [2, ErrorCode.NotReadOnly, 0x1_0000_0005n],
      [3, ErrorCode.NotReadOnly, 0x1_0000_0005n],
      [4, ErrorCode.NotReadOnly, 0x1_0000_0005n],
    ]);
    expect(closes).toEqual([]);
  });

  it('refuses a new session with NOTREADONLY at xid 0, and closes a client that did not ask for read-only', () => {
    const r = member(true);
    r.tick(at(5_000));
    r.connectionOpened(1, { remoteAddress: '127.0.0.1', remotePort: 1 });
    r.connectRequest(1, connect({ sessionId: 0n, readOnly: true }), at(5_000));
    expect(outputOf(r)).toEqual({
      out: [{ conn: 1, kind: 'reply', header: { xid: 0, zxid: 0x1_0000_0005n, err: ErrorCode.NotReadOnly }, response: null }],
      closes: [1],
    });
    for (const [conn, readOnly] of [[2, false], [3, null]] as const) {
      r.connectionOpened(conn, { remoteAddress: '127.0.0.1', remotePort: conn });
      r.connectRequest(conn, connect({ sessionId, readOnly }), at(5_000));
      expect(outputOf(r)).toEqual({ out: [], closes: [conn] });
    }
  });

  it('without readonlymode.enabled a member without a quorum serves nobody', () => {
    const r = member(false);
    r.tick(at(5_000));
    expect(r.mode).toBe('looking');
    r.connectionOpened(1, { remoteAddress: '127.0.0.1', remotePort: 1 });
    r.connectRequest(1, connect({ sessionId, readOnly: true }), at(5_000));
    expect(outputOf(r)).toEqual({ out: [], closes: [1] });
  });
});
