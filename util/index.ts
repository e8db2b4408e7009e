/**
 * Leaf helpers with no domain knowledge: assertions, time, randomness, promises, logging.
 * This module must never import anything else from the project.
 */
export { assert, assertNever, AssertionError } from './assert.js';
export { type Clock, systemClock, ManualClock } from './clock.js';
export { Rng, randomRng } from './rng.js';
export { type Deferred, deferred } from './deferred.js';
export { hex } from './hex.js';
export { RecentSet } from './recent-set.js';
export { type Logger, silentLogger, rootLogger, type RootLoggerOptions } from './logger.js';
export { ConfigError, configMessage } from './config-error.js';
