/**
 * The Corral ZooKeeper client library: ZkClient (promise API, pipelined requests, watches,
 * connection states) and the pure parts it is built from. It speaks only the wire protocol
 * and must never import the server; only its connection layer (client.ts, transport.ts) may
 * touch sockets and real timers.
 */
export {
  ZkClient,
  type ZkClientOptions,
  type AddWatchModeName,
  type WatcherTypeName,
  type WatchOptions,
  type StateListener,
} from './client.js';
export { Transaction, type TransactionDeps } from './transaction.js';
export {
  type CreateMode,
  type CreateOptions,
  type NodeData,
  type OpResult,
  type ReadResult,
  type TransactionError,
  isTransactionError,
} from './ops.js';
export { type SessionState, isConnected, isTerminal } from './session.js';
export { type WatchedEvent, type WatchListener } from './watch-registry.js';
export { EventStreamOverflowError } from './event-stream.js';
export {
  parseConnectString,
  InvalidConnectStringError,
  defaultClientPort,
  type ConnectString,
  type HostPort,
} from './host-list.js';
// The recipes (Lock, LeaderLatch, ServiceRegistry, ServiceCache, TreeCache) and their ManagedClient.
export * from './recipes/index.js';
