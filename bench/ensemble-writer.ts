/**
 * The failover benchmark's writer: one session that issues setData one at a time and, on
 * ConnectionLoss, reconnects to the next member with the same sessionId and password (and the
 * last zxid it saw, as ZooKeeper's client does), or opens a fresh session when the old one has
 * expired. It tracks only what the measurement needs and speaks the wire protocol directly, so
 * the reconnect policy is the same for both servers: try every member in turn (1 s connect
 * bound each), 20 ms pause after a full round that found none serving.
 */
import { connect, type Socket } from 'node:net';
import {
  decodeConnectResponse,
  encodeConnectFrame,
  encodeRequest,
  FrameDecoder,
  OpCode,
} from '../protocol/index.js';
import { CONNECTION_LOSS } from './wire-session.js';
import { type MemberAddress } from './ensemble-load.js';

/** ZooKeeper's SessionExpired err. */
const SESSION_EXPIRED = -112;
/** Bound on TCP connect + ConnectResponse for one member. */
const CONNECT_TIMEOUT_MS = 1_000;
/** Pause after trying every member without a session. */
const ROUND_PAUSE_MS = 20;

/** BENCH_TRACE=1 prints every connect outcome and failed request with its time, to see where a recovery goes. */
const isTracing = process.env['BENCH_TRACE'] === '1';

/** A trace line stamped with performance.now(). */
function trace(text: string): void {
  if (isTracing) console.log(`  trace ${performance.now().toFixed(0)} ${text}`);
}

/** What happened while a writer got back to writing. */
export interface ReconnectTally {
  /** Connections established after a loss. */
  reconnects: number;
  /** Fresh sessions opened because the old one had expired. */
  freshSessions: number;
  /** Requests given up after `requestTimeoutMs` without an answer. */
  timeouts: number;
}

/** An established connection: the socket and the reply waiting, if any. */
interface Connection {
  readonly socket: Socket;
  readonly memberIndex: number;
  waiting: ((err: number) => void) | null;
}

/** A reconnecting single-request-at-a-time session over the members of an ensemble. */
export class FailoverWriter {
  readonly #members: readonly MemberAddress[];
  readonly #sessionTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  #connection: Connection | null = null;
  #sessionId = 0n;
  #passwd: Uint8Array = new Uint8Array(16);
  #lastZxid = 0n;
  #nextXid = 1;
  #hasConnected = false;
  #nextMember: number;
  /** Counts since construction. */
  readonly tally: ReconnectTally = { reconnects: 0, freshSessions: 0, timeouts: 0 };

  constructor(members: readonly MemberAddress[], firstMember: number, sessionTimeoutMs = 30_000, requestTimeoutMs = 5_000) {
    this.#members = members;
    this.#nextMember = firstMember;
    this.#sessionTimeoutMs = sessionTimeoutMs;
    this.#requestTimeoutMs = requestTimeoutMs;
  }

  /** The index of the member the writer is connected to, or -1. */
  get memberIndex(): number {
    return this.#connection?.memberIndex ?? -1;
  }

  /** The current sessionId (0 before the first connection). */
  get sessionId(): bigint {
    return this.#sessionId;
  }

  /**
   * Sends one setData and resolves with its err (0 on success); reconnects first when there is
   * no connection, until `deadlineMs` (performance.now) passes.
   */
  async setData(path: string, data: Uint8Array, deadlineMs: number): Promise<number> {
    if (this.#connection === null) await this.#reconnect(deadlineMs);
    const connection = this.#connection;
    if (connection === null) return CONNECTION_LOSS;
    const xid = this.#nextXid++;
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        trace(`setData on member ${connection.memberIndex + 1}: no answer within ${this.#requestTimeoutMs} ms`);
        this.tally.timeouts++;
        this.#drop(connection);
      }, this.#requestTimeoutMs);
      connection.waiting = (err) => {
        clearTimeout(timer);
        if (err === SESSION_EXPIRED) this.#drop(connection);
        if (err !== 0) trace(`setData on member ${connection.memberIndex + 1}: err ${err}`);
        resolve(err);
      };
      connection.socket.write(encodeRequest({ xid, type: OpCode.setData }, { op: OpCode.setData, path, data, version: -1 }));
    });
  }

  /** Sends closeSession (bounded) and closes the socket. */
  async close(): Promise<void> {
    const connection = this.#connection;
    if (connection === null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      connection.waiting = () => {
        clearTimeout(timer);
        resolve();
      };
      connection.socket.write(encodeRequest({ xid: this.#nextXid++, type: OpCode.closeSession }, { op: OpCode.closeSession }));
    });
    this.#drop(connection);
  }

  /** Tries the members in turn until one gives a session (the same one if it still lives). */
  async #reconnect(deadlineMs: number): Promise<void> {
    while (performance.now() < deadlineMs) {
      for (let tried = 0; tried < this.#members.length; tried++) {
        const index = this.#nextMember;
        this.#nextMember = (index + 1) % this.#members.length;
        const outcome = await this.#handshake(index);
        trace(`connect member ${index + 1}: ${outcome === null ? 'failed' : outcome === 'expired' ? 'session expired' : 'ok'}`);
        if (outcome === 'expired') {
          this.#sessionId = 0n;
          this.#passwd = new Uint8Array(16);
          continue;
        }
        if (outcome !== null) {
          if (this.#hasConnected) this.tally.reconnects++;
          this.#hasConnected = true;
          this.#connection = outcome;
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
    }
  }

  /** One connect + ConnectRequest/ConnectResponse to member `index`. */
  #handshake(index: number): Promise<Connection | 'expired' | null> {
    const member = this.#members[index] as MemberAddress;
    return new Promise((resolve) => {
      const socket = connect({ host: member.host, port: member.port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder({ maxFrameBytes: 16 * 1024 * 1024 });
      let connection: Connection | null = null;
      const timer = setTimeout(() => socket.destroy(), CONNECT_TIMEOUT_MS);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        clearTimeout(timer);
        if (connection === null) resolve(null);
        else this.#drop(connection);
      });
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk);
        for (let frame = decoder.next(); frame.kind !== 'need-more'; frame = decoder.next()) {
          if (frame.kind === 'error') return void socket.destroy();
          if (connection !== null) {
            this.#onFrame(connection, frame.payload);
            continue;
          }
          const response = decodeConnectResponse(frame.payload);
          if (!response.ok) return void socket.destroy();
          clearTimeout(timer);
          if (response.value.timeOut <= 0) {
            socket.destroy();
            return void resolve('expired');
          }
          if (this.#hasConnected && this.#sessionId === 0n) this.tally.freshSessions++;
          this.#sessionId = response.value.sessionId;
          this.#passwd = response.value.passwd ?? new Uint8Array(16);
          connection = { socket, memberIndex: index, waiting: null };
          resolve(connection);
        }
      });
      socket.write(
        encodeConnectFrame({
          protocolVersion: 0,
          lastZxidSeen: this.#lastZxid,
          timeOut: this.#sessionTimeoutMs,
          sessionId: this.#sessionId,
          passwd: this.#passwd,
          readOnly: false,
        }),
      );
    });
  }

  /** A reply: note its zxid and hand its err to the waiting request; events and pings are skipped. */
  #onFrame(connection: Connection, payload: Uint8Array): void {
    if (payload.length < 16) return void connection.socket.destroy();
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const xid = view.getInt32(0);
    if (xid === -1 || xid === -2) return;
    const zxid = view.getBigInt64(4);
    if (zxid > this.#lastZxid) this.#lastZxid = zxid;
    const waiting = connection.waiting;
    connection.waiting = null;
    const err = view.getInt32(12);
    if (err === SESSION_EXPIRED) {
      // The server closes the connection after this; the next connect asks for a new session.
      this.#sessionId = 0n;
      this.#passwd = new Uint8Array(16);
    }
    waiting?.(err);
  }

  /** Closes `connection`; a request waiting on it fails with ConnectionLoss. */
  #drop(connection: Connection): void {
    if (this.#connection === connection) this.#connection = null;
    connection.socket.destroy();
    const waiting = connection.waiting;
    connection.waiting = null;
    waiting?.(CONNECTION_LOSS);
  }
}
