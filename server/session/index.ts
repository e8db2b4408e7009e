/**
 * Sessions: the session table with ZooKeeper's bucketed expiry, session id allocation, session
 * passwords and timeout negotiation (reference §2.3–§2.5). Pure: it never reads a clock, touches
 * the network or disk, or draws randomness; time arrives as arguments in ms.
 */
export {
  SessionTable,
  type SessionTableOptions,
  type SessionInfo,
  type SessionRecord,
} from './session-table.js';
export { SessionIdGenerator, initialSessionId } from './session-id-generator.js';
export { sessionPassword, checkPassword, sessionPasswordBytes } from './session-password.js';
export { negotiateTimeout } from './negotiate-timeout.js';
