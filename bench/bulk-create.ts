/**
 * Pipelined creates over a set of bare sessions: used to lay out the load generator's keys and
 * the memory benchmark's million znodes. Each session keeps up to `depth` creates in flight.
 */
import { ErrorCode, errorCodeName, OPEN_ACL_UNSAFE, OpCode } from '../protocol/index.js';
import type { WireSession } from './wire-session.js';

/** What to create and how hard to push. */
export interface BulkCreateOptions {
  readonly sessions: readonly WireSession[];
  /** Number of znodes; znode i is at `pathOf(i)`. */
  readonly count: number;
  readonly pathOf: (i: number) => string;
  readonly data: Uint8Array;
  /** Creates in flight per session. */
  readonly depth: number;
  /** Count NodeExists as success (re-running a setup over an existing tree). */
  readonly existsIsOk?: boolean;
}

/** Outcome of a bulk create. */
export interface BulkCreateResult {
  readonly created: number;
  readonly elapsedMs: number;
  /** Failed creates by error name. */
  readonly errors: Readonly<Record<string, number>>;
}

/**
 * Creates `count` persistent znodes, handing out indexes in order across the sessions, and
 * resolves once every create has been answered (or its connection was lost).
 */
export function bulkCreate(options: BulkCreateOptions): Promise<BulkCreateResult> {
  const { sessions, count, pathOf, data, depth } = options;
  const startMs = performance.now();
  const errors: Record<string, number> = {};
  let nextIndex = 0;
  let inFlight = 0;
  let created = 0;
  return new Promise((resolve) => {
    const finish = (): void => {
      // Indexes never sent (every connection was lost) count as failures too.
      if (nextIndex < count) errors['NotSent'] = count - nextIndex;
      resolve({ created, elapsedMs: performance.now() - startMs, errors });
    };
    if (count === 0 || sessions.length === 0) {
      finish();
      return;
    }
    const issue = (session: WireSession): void => {
      if (nextIndex >= count || session.isClosed) return;
      const path = pathOf(nextIndex++);
      inFlight++;
      session.send({ op: OpCode.create, path, data, acl: OPEN_ACL_UNSAFE, flags: 0 }, (err) => {
        inFlight--;
        if (err === 0 || (err === ErrorCode.NodeExists && options.existsIsOk === true)) created++;
        else {
          const name = errorCodeName(err);
          errors[name] = (errors[name] ?? 0) + 1;
        }
        issue(session);
        if (inFlight === 0) finish();
      });
    };
    for (const session of sessions) for (let d = 0; d < depth; d++) issue(session);
  });
}
