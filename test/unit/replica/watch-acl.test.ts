/**
 * Watch events filtered by the watcher's READ permission, as the Debian ZooKeeper 3.8.0 build
 * does with the fix of CVE-2024-23944 (ZOOKEEPER-4799): the node's ACL for its own events, the
 * parent's for NodeChildrenChanged; a filtered standard watch is consumed, a persistent one stays.
 */
import { describe, expect, it } from 'vitest';
import { AddWatchMode, OpCode, Perms, digestAuthId, type Acl, type Request } from '../../../protocol/index.js';
import { Replica } from '../../../server/replica/replica.js';
import type { Outbound } from '../../../server/replica/ready.js';
import { now, testReplica } from './replica-fixture.js';

const OPEN: readonly Acl[] = [{ perms: Perms.All, id: { scheme: 'world', id: 'anyone' } }];
const NO_READ: readonly Acl[] = [{ perms: Perms.All & ~Perms.Read, id: { scheme: 'world', id: 'anyone' } }];
const SUPER = { user: 'super', password: 'secret' };

function replica(): Replica {
  return testReplica({ superDigest: digestAuthId(SUPER.user, SUPER.password) });
}

/** Drives one replica with numbered connections and collects each connection's events. */
class Driver {
  readonly r = replica();
  readonly #xid = new Map<number, number>();
  readonly events: { conn: number; type: number; path: string }[] = [];

  open(conn: number): void {
    this.r.connectionOpened(conn, { remoteAddress: '127.0.0.1', remotePort: 40_000 + conn });
    this.r.connectRequest(conn, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false }, now);
    this.#drain();
  }

  /** Sends a request and returns its reply's err once everything is durable. */
  send(conn: number, request: Request): number {
    const xid = (this.#xid.get(conn) ?? 0) + 1;
    this.#xid.set(conn, xid);
    if (request.op === OpCode.auth) {
      this.r.request(conn, { xid: -4, type: OpCode.auth }, request, now);
      return this.#drain().find((o) => o.kind === 'reply' && o.conn === conn)?.kind === 'reply' ? 0 : -1;
    }
    this.r.request(conn, { xid, type: request.op }, request, now);
    const reply = this.#drain().find((o) => o.kind === 'reply' && o.conn === conn && o.header.xid === xid);
    if (reply?.kind !== 'reply') throw new Error(`no reply to op ${request.op}`);
    return reply.header.err;
  }

  eventsOf(conn: number): string[] {
    return this.events.filter((e) => e.conn === conn).map((e) => `${e.type} ${e.path}`);
  }

  #drain(): Outbound[] {
    const out: Outbound[] = [];
    for (let round = 0; round < 10; round++) {
      const rd = this.r.ready();
      this.r.advance();
      out.push(...rd.out);
      const last = rd.persist.at(-1);
      if (last === undefined) break;
      this.r.persisted(last.zxid);
    }
    for (const o of out) if (o.kind === 'event') this.events.push({ conn: o.conn, type: o.event.type, path: o.event.path });
    return out;
  }
}

const create = (path: string, acl: readonly Acl[] = OPEN): Request => ({ op: OpCode.create, path, data: null, acl, flags: 0 });
const setData = (path: string): Request => ({ op: OpCode.setData, path, data: new Uint8Array([1]), version: -1 });
const setAcl = (path: string, acl: readonly Acl[]): Request => ({ op: OpCode.setACL, path, acl, version: -1 });
const exists = (path: string): Request => ({ op: OpCode.exists, path, watch: true });
const DATA_CHANGED = 3;
const DELETED = 2;
const CREATED = 1;
const CHILDREN_CHANGED = 4;

function twoConnections(): Driver {
  const d = new Driver();
  d.open(1);
  d.open(2);
  return d;
}

describe('watch events need READ on the node (ZOOKEEPER-4799)', () => {
  it('a standard watch without READ gets no event and is consumed all the same', () => {
    const d = twoConnections();
    d.send(1, create('/a'));
    d.send(2, exists('/a'));
    d.send(1, setAcl('/a', NO_READ));
    d.send(1, setData('/a'));
    expect(d.eventsOf(2)).toEqual([]);
    d.send(1, setAcl('/a', OPEN));
    d.send(1, setData('/a'));
    expect(d.eventsOf(2)).toEqual([]);
  });

  it('a persistent watch without READ misses the event and stays for later ones', () => {
    const d = twoConnections();
    d.send(1, create('/a', NO_READ));
    d.send(2, { op: OpCode.addWatch, path: '/a', mode: AddWatchMode.Persistent });
    d.send(1, setData('/a'));
    expect(d.eventsOf(2)).toEqual([]);
    d.send(1, setAcl('/a', OPEN));
    d.send(1, setData('/a'));
    expect(d.eventsOf(2)).toEqual([`${DATA_CHANGED} /a`]);
  });

  it('a recursive watch is filtered by the changed node, not by the watched ancestor', () => {
    const d = twoConnections();
    d.send(1, create('/p'));
    d.send(2, { op: OpCode.addWatch, path: '/p', mode: AddWatchMode.PersistentRecursive });
    d.send(1, create('/p/hidden', NO_READ));
    d.send(1, create('/p/shown'));
    expect(d.eventsOf(2)).toEqual([`${CREATED} /p/shown`]);
  });

  it('NodeChildrenChanged needs READ on the parent; NodeCreated and NodeDeleted on the node itself', () => {
    const d = twoConnections();
    d.send(1, create('/p'));
    d.send(2, { op: OpCode.getChildren, path: '/p', watch: true });
    d.send(2, exists('/p/c'));
    d.send(1, setAcl('/p', NO_READ));
    d.send(1, create('/p/c', NO_READ));
    expect(d.eventsOf(2)).toEqual([]);
    d.send(1, setAcl('/p', OPEN));
    d.send(2, { op: OpCode.getChildren, path: '/p', watch: true });
    d.send(2, exists('/p/c'));
    d.send(1, { op: OpCode.delete, path: '/p/c', version: -1 });
    expect(d.eventsOf(2)).toEqual([`${CHILDREN_CHANGED} /p`]);
  });

  it('the super user gets every event', () => {
    const d = twoConnections();
    d.send(1, create('/s', NO_READ));
    d.send(2, { op: OpCode.auth, type: 0, scheme: 'digest', auth: new TextEncoder().encode(`${SUPER.user}:${SUPER.password}`) });
    d.send(2, exists('/s'));
    d.send(1, exists('/s'));
    d.send(1, setData('/s'));
    expect(d.eventsOf(1)).toEqual([]);
    expect(d.eventsOf(2)).toEqual([`${DATA_CHANGED} /s`]);
  });

  it('a digest id in the ACL lets its authenticated watcher through', () => {
    const d = twoConnections();
    const alice = [{ perms: Perms.All, id: { scheme: 'digest', id: digestAuthId('alice', 'pw') } }];
    d.send(1, create('/a', [...alice, ...NO_READ]));
    d.send(2, { op: OpCode.auth, type: 0, scheme: 'digest', auth: new TextEncoder().encode('alice:pw') });
    d.send(1, exists('/a'));
    d.send(2, exists('/a'));
    d.send(1, { op: OpCode.delete, path: '/a', version: -1 });
    expect(d.eventsOf(1)).toEqual([]);
    expect(d.eventsOf(2)).toEqual([`${DELETED} /a`]);
  });
});
