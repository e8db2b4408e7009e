import {
  decodeResponse,
  encodeRequest,
  OpCode,
  OPEN_ACL_UNSAFE,
  type Request,
  Xid,
} from '../../../protocol/index.js';
import { Normalizer } from './normalize.js';
import { ROOT, type Step } from './steps.js';
import { type ServerFrame, WireConnection } from './wire-connection.js';

/** The super user both servers are configured with; only the tree dump authenticates as it. */
export const SUPER = { user: 'super', password: 'secret' } as const;

/** The session timeout every run's sessions ask for. */
const SESSION_TIMEOUT_MS = 30_000;

const encoder = new TextEncoder();

/** One of a run's client sessions and the connection it is attached through. */
interface Slot {
  readonly label: string;
  conn: WireConnection | null;
  /** 0 when the session was closed (or never made): the next use makes a new one. */
  sessionId: bigint;
  passwd: Uint8Array;
  generation: number;
  xid: number;
}

/** Replaces the ROOT token at the start of every string inside `value` with `root`. */
function rooted<T>(value: T, root: string): T {
  if (typeof value === 'string') return (value.startsWith(ROOT) ? root + value.slice(ROOT.length) : value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => rooted(item, root)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rooted(v, root)])) as T;
  }
  return value;
}

/**
 * Drives one server through a sequence of steps over raw sockets and returns, per step, a
 * normalised JSON observation: how the acting session (re)connected, every frame it received up
 * to and including its reply, and then, after a ping barrier on every session, the events each
 * session received meanwhile. The same steps on two servers must give identical observations.
 */
export class ServerRun {
  readonly #host: string;
  readonly #port: number;
  readonly #root: string;
  readonly #slots: Slot[];
  readonly #norm: Normalizer;
  readonly #replyZxids: bigint[] = [];
  #admin: Slot | null = null;

  constructor(options: { host: string; port: number; root: string; sessionCount: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#root = options.root;
    this.#norm = new Normalizer(options.root);
    this.#slots = Array.from({ length: options.sessionCount }, (_, i) => ({
      label: String.fromCharCode(65 + i),
      conn: null,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      generation: 0,
      xid: 0,
    }));
  }

  /** Opens the super-user admin session and creates the run's root znode. */
  async begin(): Promise<void> {
    const admin: Slot = { label: 'admin', conn: null, sessionId: 0n, passwd: new Uint8Array(16), generation: 0, xid: 0 };
    await this.#attach(admin);
    this.#admin = admin;
    const auth = await this.#call(admin, { op: OpCode.auth, type: 0, scheme: 'digest', auth: encoder.encode(`${SUPER.user}:${SUPER.password}`) });
    const create = await this.#call(admin, { op: OpCode.create, path: this.#root, data: null, acl: OPEN_ACL_UNSAFE, flags: 0 });
    if (auth.err !== 0 || create.err !== 0) throw new Error(`setup of ${this.#root} failed: auth ${auth.err}, create ${create.err}`);
  }

  /** Runs one step and returns its normalised observation as canonical JSON. */
  async step(step: Step): Promise<string> {
    const slot = this.#slots[step.session];
    if (slot === undefined) throw new Error(`step names session ${step.session}, the run has ${this.#slots.length}`);
    const observation: Record<string, unknown> = {};
    if (step.kind === 'reconnect') {
      slot.conn?.destroy();
      slot.conn = null;
      observation.connect = await this.#attach(slot);
    } else {
      if (slot.conn === null) observation.connect = await this.#attach(slot);
      const request = step.kind === 'setWatches' ? { ...step.request, relativeZxid: this.#relativeZxid(step.relative) } : step.request;
      observation.frames = await this.#exchange(slot, rooted(request, this.#root));
    }
    observation.barrier = await this.#barrier();
    return JSON.stringify(observation);
  }

  /** Dumps the run's subtree as the super user: every node's data, Stat and ACL, sorted. */
  async dump(): Promise<string> {
    const admin = this.#admin;
    if (admin === null) throw new Error('dump before begin');
    const nodes: Record<string, unknown> = {};
    const walk = async (path: string): Promise<void> => {
      const children = await this.#call(admin, { op: OpCode.getChildren2, path, watch: false });
      const data = await this.#call(admin, { op: OpCode.getData, path, watch: false });
      const acl = await this.#call(admin, { op: OpCode.getACL, path });
      nodes[this.#norm.path(path)] = { children, data, acl };
      const response = children.response as { children?: string[] } | null;
      for (const child of [...(response?.children ?? [])].sort()) await walk(`${path}/${child}`);
    };
    await walk(this.#root);
    return JSON.stringify(nodes);
  }

  /** Closes every session with closeSession (so that ephemerals go now) and every socket. */
  async end(): Promise<void> {
    for (const slot of [...this.#slots, ...(this.#admin === null ? [] : [this.#admin])]) {
      const conn = slot.conn;
      if (conn === null) continue;
      if (!conn.isClosed) {
        conn.send(encodeRequest({ xid: ++slot.xid, type: OpCode.closeSession }, { op: OpCode.closeSession }));
        while ((await conn.next()) !== null) {
          // Drain the reply and any late events until the server closes the socket.
        }
      }
      conn.destroy();
      slot.conn = null;
    }
  }

  /** Destroys every socket at once, without closing sessions (for failures and teardown). */
  destroy(): void {
    for (const slot of [...this.#slots, ...(this.#admin === null ? [] : [this.#admin])]) slot.conn?.destroy();
  }

  #relativeZxid(relative: 'zero' | 'last' | 'back'): bigint {
    if (relative === 'zero') return 0n;
    const index = relative === 'last' ? this.#replyZxids.length - 1 : this.#replyZxids.length - 6;
    return this.#replyZxids[Math.max(0, index)] ?? 0n;
  }

  /** Attaches `slot` to a new connection: resumes its session, or makes a new one if refused. */
  async #attach(slot: Slot): Promise<string> {
    if (slot.sessionId !== 0n) {
      const conn = await WireConnection.open(this.#host, this.#port);
      const reply = await conn.handshake({ sessionId: slot.sessionId, passwd: slot.passwd, timeOutMs: SESSION_TIMEOUT_MS });
      if (reply !== null && reply.timeOut > 0 && reply.sessionId === slot.sessionId) {
        slot.conn = conn;
        return 'resumed';
      }
      conn.destroy();
      slot.sessionId = 0n;
      const made = await this.#newSession(slot);
      return `refused(${reply === null ? 'closed' : `timeOut ${reply.timeOut}`}), ${made}`;
    }
    return this.#newSession(slot);
  }

  async #newSession(slot: Slot): Promise<string> {
    const conn = await WireConnection.open(this.#host, this.#port);
    const reply = await conn.handshake({ sessionId: 0n, passwd: new Uint8Array(16), timeOutMs: SESSION_TIMEOUT_MS });
    if (reply === null || reply.timeOut <= 0) throw new Error(`no new session from ${this.#host}:${this.#port}`);
    slot.generation++;
    slot.sessionId = reply.sessionId;
    slot.passwd = reply.passwd ?? new Uint8Array(16);
    slot.conn = conn;
    this.#norm.nameSession(reply.sessionId, `${slot.label}${slot.generation}`);
    return `new ${slot.label}${slot.generation} timeOut ${reply.timeOut}`;
  }

  /**
   * Sends `request` on `slot` and records every frame up to its reply (or the close). Except for
   * auth and closeSession, a ping follows the request as a sentinel: its reply marks the end of
   * the exchange, so that a request the server never answers shows as a missing reply.
   */
  async #exchange(slot: Slot, request: Request): Promise<unknown[]> {
    const conn = slot.conn;
    if (conn === null) throw new Error('exchange on a detached slot');
    const xid = request.op === OpCode.auth ? Xid.auth : ++slot.xid;
    const hasSentinel = request.op !== OpCode.auth && request.op !== OpCode.closeSession;
    conn.send(encodeRequest({ xid, type: request.op }, request));
    if (hasSentinel) conn.send(encodeRequest({ xid: Xid.ping, type: OpCode.ping }, { op: OpCode.ping }));
    const frames: unknown[] = [];
    let err: number | null = null;
    for (;;) {
      const frame = await conn.next();
      if (frame === null) {
        frames.push('closed');
        slot.conn = null;
        conn.destroy();
        return frames;
      }
      if (frame.kind === 'reply' && frame.header.xid === Xid.ping && hasSentinel) break;
      frames.push(this.#frame(frame, request.op, xid));
      if (frame.kind === 'reply' && frame.header.xid === xid) {
        err = frame.header.err;
        if (!hasSentinel) break;
      }
    }
    if (err === null) frames.push('no reply');
    const isClosing = (request.op === OpCode.closeSession && err === 0) || (request.op === OpCode.auth && err !== 0 && err !== null);
    if (request.op === OpCode.closeSession && err === 0) slot.sessionId = 0n;
    if (isClosing) frames.push(...(await this.#drainToClose(slot)));
    return frames;
  }

  /** After a reply the server closes on, records what else came and waits for the close. */
  async #drainToClose(slot: Slot): Promise<unknown[]> {
    const conn = slot.conn;
    if (conn === null) return [];
    const frames: unknown[] = [];
    for (let frame = await conn.next(); frame !== null; frame = await conn.next()) frames.push(this.#frame(frame, -1, -1));
    frames.push('closed');
    conn.destroy();
    slot.conn = null;
    return frames;
  }

  /** A ping on every attached session; the events each received before its ping reply. */
  async #barrier(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const slot of this.#slots) {
      const conn = slot.conn;
      if (conn === null) continue;
      const frames: unknown[] = [];
      conn.send(encodeRequest({ xid: Xid.ping, type: OpCode.ping }, { op: OpCode.ping }));
      for (;;) {
        const frame = await conn.next();
        if (frame === null) {
          frames.push('closed');
          conn.destroy();
          slot.conn = null;
          break;
        }
        if (frame.kind === 'reply' && frame.header.xid === Xid.ping) break;
        frames.push(this.#frame(frame, -1, -1));
      }
      if (frames.length > 0) out[slot.label] = frames;
    }
    return out;
  }

  /** Normalises one frame; `op`/`xid` say which request a reply answers. */
  #frame(frame: ServerFrame, op: number, xid: number): unknown {
    if (frame.kind === 'event') {
      return { event: frame.event.type, state: frame.event.state, path: this.#norm.path(frame.event.path) };
    }
    const { header, body } = frame;
    if (header.zxid > 0n && header.xid === xid && op !== OpCode.auth) this.#replyZxids.push(header.zxid);
    const reply: Record<string, unknown> = {
      xid: header.xid === xid ? 'own' : header.xid,
      zxid: this.#norm.zxid(header.zxid),
      err: header.err,
    };
    if (header.err !== 0 || op === -1) {
      if (body.length > 0) reply.unexpectedBody = Buffer.from(body).toString('hex');
      return reply;
    }
    const decoded = decodeResponse(op, body);
    reply.body = decoded.ok ? this.#norm.value(decoded.value) : `undecodable(${decoded.reason}): ${Buffer.from(body).toString('hex')}`;
    return reply;
  }

  /** A request on `slot` whose reply the caller inspects (setup and dump; not recorded). */
  async #call(slot: Slot, request: Request): Promise<{ err: number; response: unknown }> {
    const conn = slot.conn;
    if (conn === null) throw new Error('call on a detached slot');
    const xid = request.op === OpCode.auth ? Xid.auth : ++slot.xid;
    conn.send(encodeRequest({ xid, type: request.op }, request));
    for (;;) {
      const frame = await conn.next();
      if (frame === null) throw new Error(`the server closed the admin connection during op ${request.op}`);
      if (frame.kind !== 'reply' || frame.header.xid !== xid) continue;
      if (frame.header.err !== 0) return { err: frame.header.err, response: null };
      const decoded = decodeResponse(request.op, frame.body);
      return { err: 0, response: decoded.ok ? this.#norm.value(decoded.value) : 'undecodable' };
    }
  }
}
