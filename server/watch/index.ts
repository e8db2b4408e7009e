/**
 * Watches: the server's data and child watch tables and the fan-out of events to connections,
 * with ZooKeeper 3.8.0's semantics (reference §7, Appendix A). Pure: it only decides who gets
 * notified; it never sends, logs per event, or looks at ACLs, sessions or the tree.
 */
export { WatchManager, isSupportedWatcherType, type SupportedWatcherType } from './watch-manager.js';
export { type ConnId, type WatchMode, type WatchSummary } from './watch-table.js';
