/**
 * Counters for `cons`, `stat`, `srvr` and `mntr`: per connection (ZooKeeper's ServerCnxn stats)
 * and server-wide (ServerStats). Pure: times come in as arguments.
 */
import type { ConnectionSessionView, ServerStatsView } from './four-letter-words.js';

/** Running min/avg/max of latencies in ms; min and max read 0 before the first sample. */
export class LatencyStats {
  #count = 0;
  #totalMs = 0;
  #minMs = Number.MAX_SAFE_INTEGER;
  #maxMs = 0;

  /** Adds one sample. */
  record(latencyMs: number): void {
    this.#count++;
    this.#totalMs += latencyMs;
    if (latencyMs < this.#minMs) this.#minMs = latencyMs;
    if (latencyMs > this.#maxMs) this.#maxMs = latencyMs;
  }

  /** The smallest sample, or 0 before any. */
  get minMs(): number {
    return this.#count === 0 ? 0 : this.#minMs;
  }

  /** The largest sample, or 0 before any. */
  get maxMs(): number {
    return this.#maxMs;
  }

  /** The exact average, or 0 before any sample. */
  get avgMs(): number {
    return this.#count === 0 ? 0 : this.#totalMs / this.#count;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#count = 0;
    this.#totalMs = 0;
    this.#minMs = Number.MAX_SAFE_INTEGER;
    this.#maxMs = 0;
  }
}

/** Per-connection counters (ServerCnxn: packetsReceived/Sent, last op, latency). */
export class ConnectionStats {
  recved = 0;
  sent = 0;
  lastOp = 'NA';
  lastCxid = -1;
  lastZxid = -1n;
  lastResponseMs = 0;
  lastLatencyMs = 0;
  readonly latency = new LatencyStats();

  /** Records one answered request: its op short name, xid, reply zxid and latency. */
  recordResponse(args: { readonly op: string; readonly cxid: number; readonly zxid: bigint; readonly receivedMs: number; readonly nowMs: number }): void {
    const latencyMs = Math.max(0, Math.round(args.nowMs - args.receivedMs));
    this.lastOp = args.op;
    this.lastCxid = args.cxid;
    this.lastZxid = args.zxid;
    this.lastResponseMs = Math.round(args.nowMs);
    this.lastLatencyMs = latencyMs;
    this.latency.record(latencyMs);
  }

  /** The session part of the `cons` line. */
  sessionView(session: { readonly sessionId: bigint; readonly timeoutMs: number; readonly establishedWallMs: number }): ConnectionSessionView {
    return {
      sessionId: session.sessionId,
      timeoutMs: session.timeoutMs,
      establishedWallMs: session.establishedWallMs,
      lastOp: this.lastOp,
      lastCxid: this.lastCxid,
      lastZxid: this.lastZxid,
      lastResponseMs: this.lastResponseMs,
      lastLatencyMs: this.lastLatencyMs,
      minLatencyMs: this.latency.minMs,
      // ServerCnxn.getAvgLatency divides longs, so the average is truncated.
      avgLatencyMs: Math.trunc(this.latency.avgMs),
      maxLatencyMs: this.latency.maxMs,
    };
  }

  /** `crst`: ServerCnxn.resetStats clears counters and the last-op fields. */
  reset(): void {
    this.recved = 0;
    this.sent = 0;
    this.lastOp = 'NA';
    this.lastCxid = -1;
    this.lastZxid = -1n;
    this.lastResponseMs = 0;
    this.lastLatencyMs = 0;
    this.latency.reset();
  }
}

/** Server-wide counters (ServerStats) read by `srvr`, `stat` and `mntr`. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  lastResponseBytes = -1;
  minResponseBytes = -1;
  maxResponseBytes = -1;
  readonly latency = new LatencyStats();

  /** Records the payload size of one reply or event frame (the length prefix's value). */
  recordResponseSize(sizeBytes: number): void {
    this.lastResponseBytes = sizeBytes;
    if (this.minResponseBytes < 0 || sizeBytes < this.minResponseBytes) this.minResponseBytes = sizeBytes;
    if (sizeBytes > this.maxResponseBytes) this.maxResponseBytes = sizeBytes;
  }

  /** A read-only copy with the connection numbers the listener supplies. */
  view(args: { readonly connectionCount: number; readonly outstandingRequests: number }): ServerStatsView {
    return {
      latencyMinMs: this.latency.minMs,
      latencyAvgMs: this.latency.avgMs,
      latencyMaxMs: this.latency.maxMs,
      packetsReceived: this.packetsReceived,
      packetsSent: this.packetsSent,
      connectionCount: args.connectionCount,
      outstandingRequests: args.outstandingRequests,
      lastResponseBytes: this.lastResponseBytes,
      minResponseBytes: this.minResponseBytes,
      maxResponseBytes: this.maxResponseBytes,
    };
  }

  /** `srst`: ServerStats.reset clears latency, packet counters and response sizes. */
  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.lastResponseBytes = -1;
    this.minResponseBytes = -1;
    this.maxResponseBytes = -1;
    this.latency.reset();
  }
}
