/**
 * Active/passive failover for masters (a failover controller like Hadoop's ZKFC): one lock per
 * group, a breadcrumb naming whom to fence, graceful hand-over on request. It works against any
 * ZooKeeper ensemble, so it must never import the server.
 */
export {
  FailoverController,
  type FailoverControllerOptions,
  type FailoverApp,
  type FailoverState,
  type Fencer,
  type HealthView,
} from './failover-controller.js';
export { commandApp, commandFencer, type TransitionCommands } from './command-adapters.js';
export { readGroupStatus, requestFailover, UnknownFailoverMemberError, type GroupStatus } from './group-admin.js';
export {
  groupPaths,
  defaultFailoverRoot,
  type GroupPaths,
  type MemberInfo,
  type MemberRole,
  type MemberStatus,
} from './group-layout.js';
export { runShellCommand, type CommandOutcome } from './shell-command.js';
