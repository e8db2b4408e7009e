/**
 * The server's network shell: the client listener (accept, per-IP limit, framing, per-connection
 * backpressure, the ConnectResponse gate), the four-letter words, and the counters they print.
 * It moves bytes and never decides: every protocol decision belongs to the replica, and the
 * listener never drains the replica's output itself (the run loop calls `deliver`).
 */
export { ClientListener, type ClientListenerOptions, type ReplicaInput, type Now } from './client-listener.js';
export { ClientConnection, type ConnectionEvent, type PendingRequest } from './client-connection.js';
export { ConnectionLimiter, normalizeAddress } from './connection-limiter.js';
export { PeerTransport, type PeerTransportOptions, type PeerAddress } from './peer-transport.js';
export { ConnectionStats, LatencyStats, ServerStats } from './net-stats.js';
export { AvgMinMaxCounter } from './avg-min-max-counter.js';
export {
  FourLetterWords,
  corralVersionText,
  connectionBuckets,
  type FourLetterWordHandler,
  type FourLetterWordSource,
  type FourLetterWordsOptions,
  type ListenerStats,
  type ReplicaMonitorValues,
} from './four-letter-word-handler.js';
export {
  fourLetterWordNames,
  isFourLetterWord,
  parseWhitelist,
  notServingText,
  defaultTraceMask,
  formatCons,
  formatConnectionLine,
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
  roundLatency,
  type FourLetterWord,
  type ServerMode,
  type ServerStatsView,
  type ConnectionStatsView,
  type ConnectionSessionView,
  type ReplicaSummary,
  type ProposalSizes,
  type SessionWatches,
  type SessionBucket,
  type SessionEphemerals,
  type ConnectionBucket,
  type DigestEntry,
  type MonitorValue,
} from './four-letter-words.js';
