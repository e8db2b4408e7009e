/**
 * The recipes' own typed failures. ZooKeeper outcomes keep their ZkError subclasses; these cover
 * what only a recipe can decide (a wait that timed out, a caller's abort, a lock that is not held).
 */

/** The base of every recipe failure: branch on `code`, never on the message. */
export class RecipeError extends Error {
  override name = 'RecipeError';

  constructor(
    readonly code: RecipeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What went wrong in a recipe. */
export type RecipeErrorCode = 'timeout' | 'aborted' | 'notHeld' | 'busy' | 'closed' | 'notStarted' | 'sessionLost' | 'invalidInstance' | 'notRegistered';

/** A bounded wait (acquire, awaitLeadership, a connection) ran out of time. */
export class RecipeTimeoutError extends RecipeError {
  override name = 'RecipeTimeoutError';

  constructor(what: string, timeoutMs: number) {
    super('timeout', `timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

/** The caller's AbortSignal fired before the wait finished. */
export class RecipeAbortedError extends RecipeError {
  override name = 'RecipeAbortedError';

  constructor(what: string) {
    super('aborted', `aborted while waiting for ${what}`);
  }
}

/** release() was called on a lock this process does not hold. */
export class LockNotHeldError extends RecipeError {
  override name = 'LockNotHeldError';

  constructor(lockPath: string) {
    super('notHeld', `lock ${lockPath} is not held`);
  }
}

/** The recipe (or its ManagedClient) was closed while a call was in progress or before it. */
export class RecipeClosedError extends RecipeError {
  override name = 'RecipeClosedError';

  constructor(what: string) {
    super('closed', `${what} is closed`);
  }
}

/** A call that needs start() came first. */
export class RecipeNotStartedError extends RecipeError {
  override name = 'RecipeNotStartedError';

  constructor(what: string) {
    super('notStarted', `${what} is not started`);
  }
}

/** The ZooKeeper session ended (expired) while the recipe depended on it. */
export class SessionLostError extends RecipeError {
  override name = 'SessionLostError';

  constructor(what: string) {
    super('sessionLost', `the session was lost while ${what}`);
  }
}

/** A service instance znode held data that is not a Curator ServiceInstance JSON document. */
export class InvalidInstanceError extends RecipeError {
  override name = 'InvalidInstanceError';

  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('invalidInstance', `${path}: not a service instance: ${reason}`);
  }
}

/** update() named an instance this registry has not registered. */
export class ServiceNotRegisteredError extends RecipeError {
  override name = 'ServiceNotRegisteredError';

  constructor(name: string, id: string) {
    super('notRegistered', `service ${name} instance ${id} is not registered here`);
  }
}
