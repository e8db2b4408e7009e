/**
 * A deterministic simulation of a consensus group (STYLE.md §9): every member is a real
 * ConsensusCore driven by a simulated shell over a simulated network (loss, delay, reordering,
 * duplication, one-way and two-way partitions) and a simulated disk (MemoryLogStore: crashes lose
 * the unsynced tail or tear its last record). Time is virtual; nothing awaits. Safety properties
 * are checked as the run goes (SimViolation), convergence and write histories at the end.
 */
import { ConsensusCore, DEFAULT_CONSENSUS_TUNING, decodeMessage, encodeMessage } from '../../server/consensus/index.js';
import type { ConsensusMessage, ConsensusOptions, ConsensusReady, ConsensusStatus, EpochRecord, PersistBatch, SnapshotImage } from '../../server/consensus/index.js';
import { MemoryLogStore } from '../../server/storage/index.js';
import { Rng } from '../../util/rng.js';
import { EventQueue } from './event-queue.js';
import { HistoryChecker, SimViolation, type WriteRecord } from './checkers.js';

/** How hostile the network and disk are; probabilities per message, delays in steps. */
export interface FaultProfile {
  readonly lossRate: number;
  readonly duplicateRate: number;
  readonly delayMinSteps: number;
  readonly delayMaxSteps: number;
  readonly fsyncMaxSteps: number;
}

/** A well-behaved network and disk. */
export const NO_FAULTS: FaultProfile = { lossRate: 0, duplicateRate: 0, delayMinSteps: 1, delayMaxSteps: 3, fsyncMaxSteps: 3 };

/** Options of a simulated group. */
export interface SimOptions {
  readonly seed: number;
  readonly voters: number;
  readonly observers?: number;
  readonly faults?: FaultProfile;
  /** Steps between ticks of each member (tick skew when they differ); 10 each by default. */
  readonly tickSteps?: readonly number[];
  readonly tuning?: Partial<Omit<ConsensusOptions, 'myId' | 'voters' | 'observers'>>;
  /** Applies between local snapshots of each member's state machine. */
  readonly snapEvery?: number;
  /** Receives one line per delivered message and persisted batch, for debugging a seed. */
  readonly trace?: (line: string) => void;
}

interface Applied {
  readonly zxid: bigint;
  readonly value: string;
}

/** One simulated server: its durable disk survives crashes, everything else does not. */
export class SimMember {
  readonly log = new MemoryLogStore();
  snapshot: SnapshotImage | null = null;
  durableEpochs: EpochRecord = { acceptedEpoch: 0, acceptedLeader: 0, currentEpoch: 0 };
  pendingEpochs: { seq: number; epochs: EpochRecord }[] = [];
  core: ConsensusCore | null = null;
  incarnation = 0;
  applied: Applied[] = [];
  fsyncFreeAt = 0;
  /** zxids appended but not yet synced, to bound what a crash may keep. */
  unsynced: bigint[] = [];
  sinceSnapshot = 0;
  proposed = new Set<string>();

  constructor(
    readonly id: number,
    readonly tickSteps: number,
  ) {}

  /** The zxid of the snapshot the state machine was last loaded from. */
  snapshotBaseZxid = 0n;

  /** The zxid of the last applied txn (or of the loaded snapshot). */
  get appliedZxid(): bigint {
    return this.applied.at(-1)?.zxid ?? this.snapshotBaseZxid;
  }
}

/** A group of simulated members plus clients, with a DSL for scenarios. */
export class SimCluster {
  readonly rng: Rng;
  readonly queue = new EventQueue();
  readonly members = new Map<number, SimMember>();
  readonly history = new HistoryChecker();
  readonly writes: WriteRecord[] = [];
  /** Delivered messages by type (sync messages by mode), to show what a run exercised. */
  readonly delivered = new Map<string, number>();
  /** Data learners piggybacked on pings, as the leader's shell received it. */
  readonly pingData: { readonly leader: number; readonly from: number; readonly data: string }[] = [];
  faults: FaultProfile;
  readonly #options: SimOptions;
  readonly #voterIds: number[];
  readonly #observerIds: number[];
  readonly #blocked = new Set<string>();
  readonly #pendingWrites = new Map<string, WriteRecord>();
  readonly #syncsDone = new Map<string, bigint>();
  #syncCount = 0;
  readonly #leaderOfEpoch = new Map<number, number>();
  readonly #proposerOfEpoch = new Map<number, number>();

  constructor(options: SimOptions) {
    this.#options = options;
    this.rng = new Rng(options.seed);
    this.faults = options.faults ?? NO_FAULTS;
    this.#voterIds = range(1, options.voters);
    this.#observerIds = range(options.voters + 1, options.observers ?? 0);
    for (const id of [...this.#voterIds, ...this.#observerIds]) {
      const member = new SimMember(id, options.tickSteps?.[id - 1] ?? 10);
      this.members.set(id, member);
      this.#boot(member);
      this.#scheduleTick(member);
    }
  }

  /** Member ids, voters first. */
  get ids(): number[] {
    return [...this.members.keys()];
  }

  /** The current virtual time in steps. */
  get now(): number {
    return this.queue.now;
  }

  /** The member with this id. */
  member(id: number): SimMember {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  /** Runs the simulation for `steps` steps. */
  run(steps: number): void {
    this.queue.runUntil(this.now + steps);
  }

  /** Runs until `condition` holds (checked after every event) or `maxSteps` pass; returns whether it held. */
  runUntil(condition: () => boolean, maxSteps: number): boolean {
    if (condition()) return true;
    return this.queue.runUntil(this.now + maxSteps, condition);
  }

  /** The broadcasting leader of the newest epoch, if any. */
  leader(): number | null {
    let best: { id: number; epoch: number } | null = null;
    for (const member of this.members.values()) {
      const status = member.core?.status();
      if (status?.role === 'leading' && status.isBroadcasting && (best === null || status.epoch > best.epoch)) {
        best = { id: member.id, epoch: status.epoch };
      }
    }
    return best?.id ?? null;
  }

  /** Runs until some leader (other than `not`) broadcasts; returns it. */
  waitForLeader(options: { not?: number; maxSteps?: number } = {}): number {
    const isDone = (): boolean => this.leader() !== null && this.leader() !== options.not;
    if (!this.runUntil(isDone, options.maxSteps ?? 2000)) throw new SimViolation('no leader elected', this.#options.seed);
    return this.leader() as number;
  }

  /** Crashes a member: its process state and its disk's unsynced tail are lost. */
  crash(id: number, options: { keptUnsyncedCount?: number; isLastTorn?: boolean } = {}): void {
    const member = this.member(id);
    this.#options.trace?.(`${this.now} ${id} crash ${JSON.stringify(options)}`);
    if (member.core === null) return;
    member.core = null;
    member.incarnation++;
    this.#failPendingWrites(member);
    const kept = Math.min(options.keptUnsyncedCount ?? 0, member.unsynced.length);
    member.log.crash({ keptUnsyncedCount: kept, isLastTorn: kept > 0 && (options.isLastTorn ?? false) });
    member.unsynced = [];
    member.pendingEpochs = [];
    // The peers' TCP connections to a dead process close soon after (the kernel answers with a
    // FIN or RST); each peer's transport reports it a few steps later.
    for (const other of this.members.values()) {
      if (other.id !== id) this.queue.at(this.now + this.rng.int(1, 5), () => this.#reportDisconnect(other, id));
    }
  }

  /** Resets the connections between `a` and `b` (both directions): both transports report it. */
  disconnect(a: number, b: number): void {
    this.#options.trace?.(`${this.now} ${a}<>${b} disconnect`);
    this.#reportDisconnect(this.member(a), b);
    this.#reportDisconnect(this.member(b), a);
  }

  #reportDisconnect(member: SimMember, peer: number): void {
    if (member.core === null) return;
    member.core.peerDisconnected(peer);
    this.#drive(member);
  }

  /** Restarts a crashed member from its disk. */
  restart(id: number): void {
    const member = this.member(id);
    if (member.core === null) this.#boot(member);
  }

  /** Cuts the network between groups (members in no group keep talking to everyone). */
  partition(...groups: number[][]): void {
    this.#blocked.clear();
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.#blocked.add(`${x}>${y}`);
  }

  /** Drops every message from `from` to `to` (not the other way). */
  blockOneWay(from: number, to: number): void {
    this.#blocked.add(`${from}>${to}`);
  }

  /** Restores every link. */
  heal(): void {
    this.#blocked.clear();
  }

  /** Sends a client write to a member (the leader by default) and returns its record at once. */
  startWrite(value: string, via?: number, client = 0): WriteRecord {
    const target = via ?? this.leader() ?? this.#voterIds[0] ?? 1;
    const member = this.member(target);
    const record: WriteRecord = { value, client, member: target, incarnation: member.incarnation, invokeAt: this.now, ackAt: null, status: 'pending' };
    this.writes.push(record);
    const isTaken = member.core?.request(TEXT_ENCODER.encode(String(client)), TEXT_ENCODER.encode(value)) ?? false;
    if (isTaken) this.#pendingWrites.set(value, record);
    else record.status = 'refused';
    this.#drive(member);
    return record;
  }

  /** Writes a value and runs until it is acknowledged or `maxSteps` pass; returns whether it was. */
  write(value: string, via?: number, maxSteps = 1000): boolean {
    const record = this.startWrite(value, via);
    if (record.status === 'refused') return false;
    const isAcked = this.runUntil(() => record.status === 'acked', maxSteps);
    if (!isAcked) this.timeOut(record);
    return isAcked;
  }

  /** Gives up on a pending write: it may still take effect, but is never acknowledged. */
  timeOut(record: WriteRecord): void {
    if (record.status !== 'pending') return;
    record.status = 'timedOut';
    this.#pendingWrites.delete(record.value);
  }

  /** Runs until every member serves and has applied the leader's whole log; throws otherwise. */
  quiesce(maxSteps = 3000): void {
    if (!this.runUntil(() => this.isQuiescent(), maxSteps)) throw new SimViolation('the group did not quiesce', this.#options.seed);
  }

  /** How many messages of a kind (`sync:trunc`, `proposal`, ...) a member received. */
  receivedBy(id: number, kind: string): number {
    return this.delivered.get(`${kind}@${id}`) ?? 0;
  }

  /**
   * A client `sync` through a member: runs until the member reports it done and returns the
   * zxid the member had applied then, and the leader's commit point when the sync started.
   */
  sync(via: number, maxSteps = 1000): { appliedZxid: bigint; leaderCommitZxid: bigint } {
    const origin = `sync-${this.#syncCount++}`;
    const leaderId = this.leader();
    const leaderCommitZxid = leaderId === null ? 0n : (this.member(leaderId).core?.status().commitZxid ?? 0n);
    const member = this.member(via);
    if (member.core?.sync(TEXT_ENCODER.encode(origin)) !== true) throw new SimViolation(`member ${via} refused a sync`, this.#options.seed);
    this.#drive(member);
    if (!this.runUntil(() => this.#syncsDone.has(origin), maxSteps)) throw new SimViolation(`sync through ${via} never finished`, this.#options.seed);
    return { appliedZxid: this.#syncsDone.get(origin) ?? 0n, leaderCommitZxid };
  }

  /** The values applied by a member, in order. */
  values(id: number): string[] {
    return this.member(id).applied.map((a) => a.value);
  }

  /** Checks that every live member applied the same history (after a quiet period). */
  checkConvergence(): void {
    const live = [...this.members.values()].filter((m) => m.core !== null);
    const first = live[0];
    if (first === undefined) return;
    for (const member of live) {
      const a = member.applied.map((e) => `${e.zxid}:${e.value}`).join(',');
      const b = first.applied.map((e) => `${e.zxid}:${e.value}`).join(',');
      if (a !== b) throw new SimViolation(`member ${member.id} diverges from member ${first.id}: ${member.applied.length} vs ${first.applied.length} applied`, this.#options.seed);
    }
  }

  /** Checks the client-visible write history: nothing acknowledged lost, real-time order kept. */
  checkWrites(): void {
    this.history.checkWrites(this.writes, this.#options.seed);
  }

  /** True when every member is up, broadcasting and has applied the same zxid as the leader committed. */
  isQuiescent(): boolean {
    const leaderId = this.leader();
    if (leaderId === null) return false;
    const leaderStatus = this.member(leaderId).core?.status();
    for (const member of this.members.values()) {
      const status = member.core?.status();
      if (status === undefined || !status.isBroadcasting || status.leader !== leaderId) return false;
      if (member.appliedZxid !== leaderStatus?.lastZxid) return false;
    }
    return true;
  }

  #boot(member: SimMember): void {
    const snapshot = member.snapshot;
    const base = snapshot?.zxid ?? 0n;
    member.applied = snapshot === null ? [] : decodeState(snapshot.data);
    member.snapshotBaseZxid = base;
    member.proposed = new Set();
    member.durableEpochs = { ...member.durableEpochs };
    const tuning = { ...DEFAULT_CONSENSUS_TUNING, logKeepCount: 20, ...this.#options.tuning };
    member.core = new ConsensusCore({
      options: { ...tuning, myId: member.id, voters: this.#voterIds, observers: this.#observerIds },
      recovered: { ...member.durableEpochs, snapshotZxid: base, entries: member.log.entriesFrom(base) },
      rng: this.rng.fork(),
    });
    this.#drive(member);
  }

  #scheduleTick(member: SimMember): void {
    this.queue.at(this.now + member.tickSteps, () => {
      if (member.core !== null) {
        member.core.tick();
        this.#drive(member);
      }
      this.#scheduleTick(member);
    });
  }

  /** The simulated shell: performs a member's ready() until the core has nothing more. */
  #drive(member: SimMember): void {
    for (let round = 0; round < 50; round++) {
      const core = member.core;
      if (core === null) return;
      const rd = core.ready();
      this.#perform(member, rd);
      core.advance();
      if (rd.status !== null) this.#onStatus(member, rd.status);
      let isMore = false;
      if (rd.isSnapshotNeeded) {
        core.snapshotProvided({ zxid: member.appliedZxid, data: encodeState(member.applied) });
        isMore = true;
      }
      for (const request of rd.requests) isMore = this.#prepAndPropose(member, request.data) || isMore;
      if (!isMore) return;
    }
    throw new SimViolation(`member ${member.id}: the shell loop did not settle`, this.#options.seed);
  }

  #perform(member: SimMember, rd: ConsensusReady): void {
    for (const envelope of rd.send) {
      this.#checkDurableBeforeSend(member, envelope.msg);
      this.#sendMessage(member.id, envelope.to, encodeMessage(envelope.msg));
    }
    if (rd.persist !== null) this.#persist(member, rd.persist);
    for (const entry of rd.applyCommitted) this.#apply(member, entry.zxid, TEXT_DECODER.decode(entry.data));
    for (const p of rd.pingData) this.pingData.push({ leader: member.id, from: p.from, data: TEXT_DECODER.decode(p.data) });
    for (const origin of rd.syncsDone) this.#syncsDone.set(TEXT_DECODER.decode(origin), member.appliedZxid);
  }

  /** The durability rule (STYLE.md §2): acks and votes claim only what this member's disk holds. */
  #checkDurableBeforeSend(member: SimMember, msg: ConsensusMessage): void {
    const synced = member.log.lastSyncedZxid();
    const durableZxid = synced > 0n ? synced : (member.snapshot?.zxid ?? 0n);
    const epochs = member.durableEpochs;
    let claim: bigint | null = null;
    if (msg.type === 'ack' || msg.type === 'ackNewLeader') claim = msg.zxid;
    if (msg.type === 'ackEpoch') claim = msg.lastZxid;
    if (msg.type === 'vote' && msg.state === 'looking' && msg.vote.leader === member.id) claim = msg.vote.zxid;
    const isEpochBroken =
      (msg.type === 'ackEpoch' && epochs.acceptedEpoch < msg.epoch) || (msg.type === 'ackNewLeader' && epochs.currentEpoch !== msg.epoch);
    if ((claim !== null && claim > durableZxid) || isEpochBroken) {
      throw new SimViolation(`member ${member.id} sent ${describe(msg)} with only 0x${durableZxid.toString(16)} and ${describe(epochs)} durable`, this.#options.seed);
    }
  }

  #persist(member: SimMember, batch: PersistBatch): void {
    this.#options.trace?.(`${this.now} ${member.id} persist ${describe(batch)}`);
    if (batch.truncateAfter !== null) {
      const after = batch.truncateAfter;
      member.log.truncateAfterNow(after);
      member.unsynced = member.unsynced.filter((zxid) => zxid <= after);
    }
    if (batch.snapshot !== null) {
      member.snapshot = batch.snapshot;
      member.log.truncateAfterNow(0n);
      member.unsynced = [];
      member.applied = decodeState(batch.snapshot.data);
      member.snapshotBaseZxid = batch.snapshot.zxid;
      this.history.checkPrefix(member.id, member.applied, this.#options.seed);
    }
    member.log.append(batch.entries);
    for (const entry of batch.entries) member.unsynced.push(entry.zxid);
    if (batch.epochs !== null) member.pendingEpochs.push({ seq: batch.seq, epochs: batch.epochs });
    const incarnation = member.incarnation;
    const at = Math.max(this.now, member.fsyncFreeAt) + this.rng.int(1, this.faults.fsyncMaxSteps);
    member.fsyncFreeAt = at;
    this.queue.at(at, () => {
      if (member.incarnation !== incarnation || member.core === null) return;
      member.log.syncNow();
      member.unsynced = [];
      for (const pending of member.pendingEpochs) if (pending.seq <= batch.seq) member.durableEpochs = pending.epochs;
      member.pendingEpochs = member.pendingEpochs.filter((pending) => pending.seq > batch.seq);
      member.core.persisted(batch.seq);
      this.#drive(member);
    });
  }

  #apply(member: SimMember, zxid: bigint, value: string): void {
    if (zxid <= member.appliedZxid) throw new SimViolation(`member ${member.id} applied ${zxid} after ${member.appliedZxid}`, this.#options.seed);
    member.applied.push({ zxid, value });
    this.history.checkApplied(member.id, member.applied, this.#options.seed);
    const record = this.#pendingWrites.get(value);
    if (record !== undefined && record.member === member.id && record.incarnation === member.incarnation) {
      record.status = 'acked';
      record.ackAt = this.now;
      this.#pendingWrites.delete(value);
    }
    if (++member.sinceSnapshot >= (this.#options.snapEvery ?? 7)) {
      member.sinceSnapshot = 0;
      member.snapshot = { zxid, data: encodeState(member.applied) };
    }
  }

  /** The leader's shell prep: drop a write it already proposed (a duplicated REQUEST). */
  #prepAndPropose(member: SimMember, data: Uint8Array): boolean {
    const value = TEXT_DECODER.decode(data);
    if (member.proposed.has(value) || member.applied.some((a) => a.value === value)) return false;
    const zxid = member.core?.propose(data) ?? null;
    if (zxid === null) return false;
    member.proposed.add(value);
    const epoch = Number(zxid >> 32n);
    const proposer = this.#proposerOfEpoch.get(epoch);
    if (proposer !== undefined && proposer !== member.id) {
      throw new SimViolation(`members ${proposer} and ${member.id} both proposed in epoch ${epoch}`, this.#options.seed);
    }
    this.#proposerOfEpoch.set(epoch, member.id);
    return true;
  }

  #onStatus(member: SimMember, status: ConsensusStatus): void {
    if (!status.isBroadcasting) this.#failPendingWrites(member);
    if (status.role !== 'leading' || !status.isBroadcasting) return;
    const other = this.#leaderOfEpoch.get(status.epoch);
    if (other !== undefined && other !== member.id) {
      throw new SimViolation(`members ${other} and ${member.id} both lead epoch ${status.epoch}`, this.#options.seed);
    }
    this.#leaderOfEpoch.set(status.epoch, member.id);
  }

  /** A member that stops serving closes its client connections: their writes end in ConnectionLoss. */
  #failPendingWrites(member: SimMember): void {
    this.#options.trace?.(`${this.now} ${member.id} connections closed`);
    for (const record of [...this.#pendingWrites.values()]) if (record.member === member.id) this.timeOut(record);
  }

  #sendMessage(from: number, to: number, bytes: Uint8Array): void {
    const f = this.faults;
    if (this.#blocked.has(`${from}>${to}`) || this.rng.chance(f.lossRate)) return;
    const copies = this.rng.chance(f.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.queue.at(this.now + this.rng.int(f.delayMinSteps, f.delayMaxSteps), () => this.#deliver(from, to, bytes));
    }
  }

  #deliver(from: number, to: number, bytes: Uint8Array): void {
    if (this.#blocked.has(`${from}>${to}`)) return;
    const member = this.member(to);
    if (member.core === null) return;
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) throw new SimViolation(`undecodable message: ${decoded.reason}`, this.#options.seed);
    this.#options.trace?.(`${this.now} ${from}->${to} ${describe(decoded.message)}`);
    const m = decoded.message;
    const kind = m.type === 'sync' ? `sync:${m.mode}` : m.type;
    this.delivered.set(kind, (this.delivered.get(kind) ?? 0) + 1);
    this.delivered.set(`${kind}@${to}`, (this.delivered.get(`${kind}@${to}`) ?? 0) + 1);
    member.core.message(from, decoded.message);
    this.#drive(member);
  }
}

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder();

function describe(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `0x${v.toString(16)}`;
    if (v instanceof Uint8Array) return new TextDecoder().decode(v).slice(0, 30);
    return v;
  });
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

function encodeState(applied: readonly Applied[]): Uint8Array {
  return TEXT_ENCODER.encode(JSON.stringify(applied.map((a) => [a.zxid.toString(), a.value])));
}

function decodeState(data: Uint8Array): Applied[] {
  const items = JSON.parse(TEXT_DECODER.decode(data)) as [string, string][];
  return items.map(([zxid, value]) => ({ zxid: BigInt(zxid), value }));
}
