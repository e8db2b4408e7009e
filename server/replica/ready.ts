/**
 * The replica's output contract (STYLE.md §2): what the shell must do after each batch of inputs.
 * The shell takes `ready()`, writes `persist` as one batch with one fsync (then reports
 * `persisted(lastZxid)`), sends `out` to each connection in the order given, closes `closes`
 * after flushing their output, and then calls `advance()`.
 */
import type { ConnectResponse, ReplyHeader, Response, WatcherEvent } from '../../protocol/records.js';
import type { GroupReady } from './group-link.js';

/** The shell's handle for one client connection; assigned by the shell, unique per process. */
export type ConnId = number;

/** One transaction record for the log: its zxid and the encoded txn. */
export interface LogEntry {
  readonly zxid: bigint;
  readonly data: Uint8Array;
}

/** A frame for one connection, in a form the shell encodes. */
export type Outbound =
  | { readonly conn: ConnId; readonly kind: 'connect'; readonly response: ConnectResponse }
  | {
      readonly conn: ConnId;
      readonly kind: 'reply';
      readonly header: ReplyHeader;
      /** The response record; null when the reply is a bare header (errors, delete, ...). */
      readonly response: Response | null;
    }
  | { readonly conn: ConnId; readonly kind: 'event'; readonly event: WatcherEvent };

/** A request from the core to start a snapshot of the state as of `zxid`. */
export interface SnapshotRequest {
  readonly zxid: bigint;
}

/** Everything the core wants done after the inputs it has been given so far. */
export interface Ready {
  /** Txns to append to the log, in zxid order, as one batch with one fsync. */
  readonly persist: readonly LogEntry[];
  /** Frames for client connections, in the order they must be written. */
  readonly out: readonly Outbound[];
  /** Connections to close once their frames in `out` are flushed. */
  readonly closes: readonly ConnId[];
  /** Set when the core wants a snapshot taken now. */
  readonly snapshot: SnapshotRequest | null;
  /** Ensemble only: peer messages to send and consensus batches to persist (see group-link.ts). */
  readonly group: GroupReady | null;
}
