/**
 * Client recipes built on ZkClient, after Apache Curator: a shared ManagedClient (connection
 * events, client replacement after expiry), Lock, LeaderLatch, ServiceRegistry and ServiceCache
 * (Curator's service discovery layout), and TreeCache. Recipes speak only through the public
 * ZkClient API; they must never import the server or touch sockets themselves.
 */
export {
  ManagedClient,
  type ManagedClientOptions,
  type ConnectionEvent,
  type WaitOptions,
  type RunOptions,
  untilClientConnected,
} from './managed-client.js';
export {
  RecipeError,
  type RecipeErrorCode,
  RecipeTimeoutError,
  RecipeAbortedError,
  LockNotHeldError,
  RecipeClosedError,
  RecipeNotStartedError,
  SessionLostError,
  InvalidInstanceError,
  ServiceNotRegisteredError,
} from './errors.js';
export { Lock, LockBusyError, type LockOptions, type AcquireOptions, lockMarker } from './lock.js';
export { LeaderLatch, type LeaderLatchOptions, type Participant, latchMarker } from './leader-latch.js';
export { type UuidSource } from './nodes.js';
export {
  TreeCache,
  type TreeCacheMode,
  type TreeCacheOptions,
  type TreeCacheEvents,
  maxReadsInFlight,
} from './tree-cache.js';
export { type CachedNode, type TreeChange, diffTrees, isSameVersion } from './tree-diff.js';
export {
  type ServiceInstance,
  type ServiceInstanceFields,
  type ServiceType,
  type UriSpec,
  type UriSpecPart,
  type JsonValue,
  encodeServiceInstance,
  parseServiceInstance,
  makeServiceInstance,
  instancePath,
  servicePath,
} from './service-instance.js';
export { ServiceRegistry, type ServiceRegistryOptions, defaultServicesPath } from './service-registry.js';
export { ServiceCache, type ServiceCacheOptions, type ServiceCacheEvents } from './service-cache.js';
