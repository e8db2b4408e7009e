/**
 * TCP between ensemble members, carrying opaque consensus messages. Each member dials every
 * peer and sends only on its own outbound connection; it receives on the connections peers
 * dial to it. So each pair has two one-way connections and there is no tie to break when both
 * sides dial at once.
 *
 * Wire format, on both connection directions:
 *   hello:  "CRLP" (4 bytes) | i32 version (1) | i32 sender id        (outbound side, once)
 *   frame:  i32 length | payload                                      (length <= maxFrameBytes)
 *
 * Messages to a peer that is not connected wait in a bounded queue (the oldest are dropped
 * past it); the consensus protocol tolerates loss, as the simulation checks. Reconnects back
 * off exponentially with jitter, capped.
 */
import { createServer, Socket, type Server } from 'node:net';
import type { Logger } from '../../util/logger.js';
import type { Rng } from '../../util/rng.js';

const MAGIC = 0x43524c50; // "CRLP"
const VERSION = 1;
const HELLO_BYTES = 12;

/** Where a peer listens. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** Options of PeerTransport. */
export interface PeerTransportOptions {
  readonly myId: number;
  /** Where this member accepts peer connections. */
  readonly listen: PeerAddress;
  /** Every other member, by id. */
  readonly peers: ReadonlyMap<number, PeerAddress>;
  /** Called for each message a peer sent, in the order that peer sent them. */
  readonly onMessage: (from: number, payload: Uint8Array) => void;
  /**
   * Called when an established connection with a peer closes, in either direction (after every
   * message it carried was delivered): the peer died, restarted or the link was reset.
   */
  readonly onDisconnected?: (peer: number) => void;
  readonly log: Logger;
  /** Jitter for reconnect backoff. */
  readonly rng: Rng;
  /** Largest accepted message; larger ones close the connection. */
  readonly maxFrameBytes?: number;
  /** Messages kept per disconnected peer before the oldest are dropped. */
  readonly maxQueuedPerPeer?: number;
  readonly backoffMsMin?: number;
  readonly backoffMsMax?: number;
}

interface Outbound {
  readonly id: number;
  readonly address: PeerAddress;
  socket: Socket | null;
  isConnected: boolean;
  /** True while writes to `socket` are corked until the end of this turn of the event loop. */
  isCorked: boolean;
  queue: Uint8Array[];
  backoffMs: number;
  timer: NodeJS.Timeout | null;
}

/** Moves framed messages between ensemble members over TCP. */
export class PeerTransport {
  readonly #o: PeerTransportOptions;
  readonly #maxFrameBytes: number;
  readonly #maxQueued: number;
  readonly #backoffMsMin: number;
  readonly #backoffMsMax: number;
  readonly #outbound = new Map<number, Outbound>();
  readonly #inbound = new Set<Socket>();
  /** The newest inbound connection of each peer: only its closing means the peer is gone. */
  readonly #latestInbound = new Map<number, Socket>();
  #server: Server | null = null;
  #isClosed = false;

  constructor(options: PeerTransportOptions) {
    this.#o = options;
    this.#maxFrameBytes = options.maxFrameBytes ?? 512 * 1024 * 1024;
    this.#maxQueued = options.maxQueuedPerPeer ?? 10_000;
    this.#backoffMsMin = options.backoffMsMin ?? 50;
    this.#backoffMsMax = options.backoffMsMax ?? 2_000;
  }

  /** Binds the listener and starts dialing every peer. */
  async start(): Promise<void> {
    if (this.#server !== null) return;
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.listen.port, this.#o.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    for (const [id, address] of this.#o.peers) {
      const peer: Outbound = { id, address, socket: null, isConnected: false, isCorked: false, queue: [], backoffMs: this.#backoffMsMin, timer: null };
      this.#outbound.set(id, peer);
      this.#dial(peer);
    }
  }

  /** The port the listener is bound to. */
  get port(): number {
    const address = this.#server?.address();
    return typeof address === 'object' && address !== null ? address.port : -1;
  }

  /** True while the outbound connection to `peer` is up. */
  isConnected(peer: number): boolean {
    return this.#outbound.get(peer)?.isConnected ?? false;
  }

  /** Sends one message to a peer, or queues it (bounded) until the peer is reachable. */
  send(to: number, payload: Uint8Array): void {
    const peer = this.#outbound.get(to);
    if (peer === undefined || this.#isClosed) return;
    if (!peer.isConnected || peer.socket === null) {
      peer.queue.push(payload);
      if (peer.queue.length > this.#maxQueued) peer.queue.shift();
      return;
    }
    const socket = peer.socket;
    if (!peer.isCorked) {
      // Frames sent in the same turn of the event loop (a drain's proposals, commits, pings) go
      // out in one writev instead of one syscall each.
      peer.isCorked = true;
      socket.cork();
      process.nextTick(() => {
        peer.isCorked = false;
        socket.uncork();
      });
    }
    writeFrame(socket, payload);
  }

  /** Closes every connection and the listener. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const peer of this.#outbound.values()) {
      if (peer.timer !== null) clearTimeout(peer.timer);
      peer.socket?.destroy();
    }
    for (const socket of this.#inbound) socket.destroy();
    const server = this.#server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #dial(peer: Outbound): void {
    if (this.#isClosed) return;
    const socket = new Socket();
    peer.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      peer.isConnected = true;
      peer.backoffMs = this.#backoffMsMin;
      socket.write(hello(this.#o.myId));
      const queued = peer.queue;
      peer.queue = [];
      socket.cork();
      for (const payload of queued) writeFrame(socket, payload);
      socket.uncork();
      this.#o.log.info({ peer: peer.id }, 'peer connected');
    });
    // Nothing comes back on an outbound connection; reading keeps the socket from stalling.
    socket.on('data', () => undefined);
    socket.on('error', (err) => this.#o.log.debug({ peer: peer.id, err }, 'peer connection error'));
    socket.on('close', () => {
      const wasConnected = peer.isConnected;
      peer.isConnected = false;
      peer.socket = null;
      if (this.#isClosed) return;
      if (wasConnected) {
        this.#o.log.info({ peer: peer.id }, 'peer disconnected');
        this.#o.onDisconnected?.(peer.id);
      }
      const jitter = 0.5 + this.#o.rng.next();
      peer.timer = setTimeout(() => {
        peer.timer = null;
        this.#dial(peer);
      }, Math.round(peer.backoffMs * jitter));
      peer.backoffMs = Math.min(this.#backoffMsMax, peer.backoffMs * 2);
    });
    socket.connect(peer.address.port, peer.address.host);
  }

  /**
   * A peer that just dialed us is up: if our own connection to it waits out a reconnect backoff
   * (it was down when we last tried), dial now, so a restarted member hears from everyone at
   * once instead of after up to backoffMsMax.
   */
  #dialNowIfWaiting(id: number): void {
    const peer = this.#outbound.get(id);
    if (peer === undefined || peer.timer === null || this.#isClosed) return;
    clearTimeout(peer.timer);
    peer.timer = null;
    peer.backoffMs = this.#backoffMsMin;
    this.#dial(peer);
  }

  #accept(socket: Socket): void {
    if (this.#isClosed) {
      socket.destroy();
      return;
    }
    this.#inbound.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader(this.#maxFrameBytes);
    let from: number | null = null;
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (from === null) {
        const sender = reader.takeHello();
        if (sender === 'bad') return this.#reject(socket, 'bad peer hello');
        if (sender === null) return;
        if (!this.#o.peers.has(sender)) return this.#reject(socket, `unknown peer id ${sender}`);
        from = sender;
        this.#latestInbound.set(sender, socket);
        this.#dialNowIfWaiting(sender);
      }
      for (;;) {
        const payload = reader.takeFrame();
        if (payload === 'bad') return this.#reject(socket, 'peer frame too large');
        if (payload === null) break;
        this.#o.onMessage(from, payload);
      }
    });
    socket.on('error', (err) => this.#o.log.debug({ err }, 'inbound peer connection error'));
    socket.on('close', () => {
      this.#inbound.delete(socket);
      // A connection the peer already replaced (it redialed before we saw this one close) says
      // nothing about the peer now.
      if (from === null || this.#isClosed || this.#latestInbound.get(from) !== socket) return;
      this.#latestInbound.delete(from);
      this.#o.onDisconnected?.(from);
    });
  }

  #reject(socket: Socket, reason: string): void {
    this.#o.log.warn({ peer: `${socket.remoteAddress}:${socket.remotePort}`, reason }, 'closing peer connection');
    socket.destroy();
  }
}

function hello(myId: number): Buffer {
  const bytes = Buffer.allocUnsafe(HELLO_BYTES);
  bytes.writeInt32BE(MAGIC, 0);
  bytes.writeInt32BE(VERSION, 4);
  bytes.writeInt32BE(myId, 8);
  return bytes;
}

/**
 * Writes the length prefix and the payload as two writes of one frame (the socket is corked by
 * the caller, so they leave in one writev): a large message, such as a SNAP image, is not copied.
 */
function writeFrame(socket: Socket, payload: Uint8Array): void {
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(payload.length, 0);
  socket.write(prefix);
  socket.write(payload);
}

/**
 * Accumulates inbound bytes and cuts them into the hello and frames. Chunks are joined only
 * once a whole frame has arrived, so a large message costs one copy, not one per chunk.
 */
class FrameReader {
  #chunks: Buffer[] = [];
  #length = 0;
  readonly #maxFrameBytes: number;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The sender id, null if incomplete, 'bad' for a wrong magic or version. */
  takeHello(): number | null | 'bad' {
    if (this.#length < HELLO_BYTES) return null;
    const head = this.#contiguous(HELLO_BYTES);
    if (head.readInt32BE(0) !== MAGIC || head.readInt32BE(4) !== VERSION) return 'bad';
    const id = head.readInt32BE(8);
    this.#consume(HELLO_BYTES);
    return id;
  }

  /** The next payload (a copy), null if incomplete, 'bad' when over the limit. */
  takeFrame(): Uint8Array | null | 'bad' {
    if (this.#length < 4) return null;
    const length = this.#contiguous(4).readInt32BE(0);
    if (length < 0 || length > this.#maxFrameBytes) return 'bad';
    if (this.#length < 4 + length) return null;
    const payload = Uint8Array.prototype.slice.call(this.#contiguous(4 + length), 4, 4 + length);
    this.#consume(4 + length);
    return payload;
  }

  /** The first chunk, after joining chunks until it holds at least `bytes` (all present). */
  #contiguous(bytes: number): Buffer {
    let first = this.#chunks[0] as Buffer;
    if (first.length < bytes) {
      first = Buffer.concat(this.#chunks, this.#length);
      this.#chunks = [first];
    }
    return first;
  }

  #consume(bytes: number): void {
    const first = this.#contiguous(bytes);
    this.#length -= bytes;
    if (first.length === bytes) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(bytes);
  }
}
