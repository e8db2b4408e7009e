import {
  type Acl,
  AddWatchMode,
  CREATOR_ALL_ACL,
  digestAuthId,
  type MultiOp,
  OPEN_ACL_UNSAFE,
  OpCode,
  Perms,
  READ_ACL_UNSAFE,
  type Request,
} from '../../../protocol/index.js';
import { Rng } from '../../../util/rng.js';

/** Stands for the run's root znode in generated paths; the runner substitutes the real one. */
export const ROOT = '$R';

/** How a setWatches step picks its relativeZxid from what the server has answered so far. */
export type RelativeZxid = 'zero' | 'last' | 'back';

/** One step of a differential run, issued on one of the run's sessions (0, 1 or 2). */
export type Step =
  | { readonly kind: 'request'; readonly session: number; readonly request: Request }
  | {
      readonly kind: 'setWatches';
      readonly session: number;
      readonly relative: RelativeZxid;
      readonly request: Request & { readonly op: typeof OpCode.setWatches | typeof OpCode.setWatches2 };
    }
  | { readonly kind: 'reconnect'; readonly session: number };

/** A generated sequence: how many sessions it uses and its steps. */
export interface Sequence {
  readonly seed: number;
  readonly sessionCount: number;
  readonly steps: readonly Step[];
}

/** The digest users the generator authenticates as and puts in ACLs. */
const USERS = [
  { user: 'alice', password: 'pw' },
  { user: 'bob', password: 'pw2' },
] as const;

const encoder = new TextEncoder();

/** Weighted choice: `table` holds [weight, make] pairs. */
function weighted<T>(rng: Rng, table: readonly (readonly [number, () => T])[]): T {
  const total = table.reduce((sum, [w]) => sum + w, 0);
  let x = rng.next() * total;
  for (const [w, make] of table) {
    x -= w;
    if (x < 0) return make();
  }
  const last = table.filter(([w]) => w > 0).pop();
  if (last === undefined) throw new RangeError('weighted: no entry with a positive weight');
  return last[1]();
}

/**
 * Steps behind a known difference that Corral keeps on purpose, generated only with
 * `includeKnownDifferences` (CORRAL_DIFF_KNOWN=1) so that they do not mask new ones: a
 * standalone check (op 13) that succeeds. ZooKeeper 3.8.0 never replies to it
 * (FinalRequestProcessor serialises a SetDataResponse with a null Stat; the NPE is swallowed by
 * sendResponse) and the client waits forever; Corral answers it, with no body. So with the flag
 * set, a run stops at the first such check, as a reminder that the difference is there.
 */
export interface GeneratorOptions {
  readonly includeKnownDifferences: boolean;
}

/** Generates the steps of one sequence from `seed`; the same seed always gives the same steps. */
export function generateSequence(seed: number, stepCount: number, options: GeneratorOptions = { includeKnownDifferences: false }): Sequence {
  const rng = new Rng(seed);
  const g = new Generator(rng, options);
  const sessionCount = rng.int(2, 3);
  const steps: Step[] = [];
  for (let i = 0; i < stepCount; i++) steps.push(g.step(rng.int(0, sessionCount - 1)));
  return { seed, sessionCount, steps };
}

/** The random choices, one method per kind of value. */
class Generator {
  readonly #rng: Rng;
  readonly #options: GeneratorOptions;

  constructor(rng: Rng, options: GeneratorOptions) {
    this.#rng = rng;
    this.#options = options;
  }

  /** A path under the root: depth 1-3 over a few names, sometimes a sequential name or invalid. */
  path(): string {
    const rng = this.#rng;
    return weighted(rng, [
      [90, () => this.#validPath()],
      [4, () => `${this.#validPath()}${rng.pick(['/', '//x', '/./x', '/..'])}`],
      [3, () => ROOT],
      [3, () => `${this.#validPath()}/${rng.pick(['s0000000000', 's0000000001', 's0000000002', 's0000000003'])}`],
    ]);
  }

  #validPath(): string {
    const depth = weighted(this.#rng, [
      [45, () => 1],
      [40, () => 2],
      [15, () => 3],
    ]);
    let path = ROOT;
    for (let i = 0; i < depth; i++) path += `/${this.#rng.pick(['a', 'b', 'c'])}`;
    return path;
  }

  version(): number {
    return weighted(this.#rng, [
      [40, () => -1],
      [25, () => 0],
      [20, () => 1],
      [10, () => 2],
      [5, () => 3],
    ]);
  }

  flags(): number {
    return weighted(this.#rng, [
      [40, () => 0],
      [15, () => 1],
      [10, () => 2],
      [8, () => 3],
      [8, () => 4],
      [5, () => 5],
      [5, () => 6],
      [2, () => 7],
      [2, () => 9],
      [1, () => -1],
    ]);
  }

  data(): Uint8Array | null {
    const rng = this.#rng;
    return weighted(rng, [
      [15, () => null],
      [15, () => new Uint8Array(0)],
      [50, () => encoder.encode(rng.pick(['x', 'hello', 'v1', 'v2']))],
      [20, () => Uint8Array.from({ length: rng.int(1, 12) }, () => rng.int(0, 255))],
    ]);
  }

  acl(): readonly Acl[] {
    const rng = this.#rng;
    const alice = USERS[0];
    const digestAlice = { scheme: 'digest', id: digestAuthId(alice.user, alice.password) };
    return weighted<readonly Acl[]>(rng, [
      [60, () => OPEN_ACL_UNSAFE],
      [6, () => READ_ACL_UNSAFE],
      [6, () => [{ perms: Perms.All, id: digestAlice }]],
      [4, () => [{ perms: Perms.Read | Perms.Write, id: digestAlice }, { perms: Perms.Read, id: { scheme: 'world', id: 'anyone' } }]],
      [4, () => CREATOR_ALL_ACL],
      [2, () => [{ perms: Perms.All, id: digestAlice }, { perms: Perms.Read, id: { scheme: 'world', id: 'anyone' } }]],
      [2, () => []],
      [2, () => [{ perms: Perms.All, id: { scheme: 'world', id: 'nobody' } }]],
      [2, () => [{ perms: Perms.All, id: { scheme: 'digest', id: 'nocolon' } }]],
      [2, () => [{ perms: Perms.All, id: { scheme: 'foo', id: 'bar' } }]],
      [3, () => [{ perms: Perms.All, id: { scheme: 'ip', id: rng.pick(['127.0.0.1', 'bogus']) } }]],
      [2, () => [{ perms: Perms.All, id: { scheme: 'ip', id: '10.0.0.0/8' } }]],
      [2, () => [{ perms: 0, id: { scheme: 'world', id: 'anyone' } }]],
      [2, () => [{ perms: Perms.Read | Perms.Delete | Perms.Create, id: { scheme: 'world', id: 'anyone' } }]],
      [2, () => [...OPEN_ACL_UNSAFE, ...OPEN_ACL_UNSAFE]],
    ]);
  }

  create(): Request {
    const rng = this.#rng;
    const op = weighted(rng, [
      [50, () => OpCode.create],
      [25, () => OpCode.create2],
      [10, () => OpCode.createContainer],
      [10, () => OpCode.createTTL],
    ]);
    const base = { path: this.path(), data: this.data(), acl: this.acl(), flags: this.flags() };
    if (op === OpCode.createTTL) return { op, ...base, ttl: BigInt(rng.pick([-1, 0, 1000, 3_600_000])) };
    return { op, ...base };
  }

  /** A sub-op of a write multi (rarely a read, which makes the multi undecodable). */
  multiOp(): MultiOp {
    const rng = this.#rng;
    return weighted<MultiOp>(rng, [
      [35, () => this.create() as MultiOp],
      [20, () => ({ op: OpCode.delete, path: this.path(), version: this.version() })],
      [20, () => ({ op: OpCode.setData, path: this.path(), data: this.data(), version: this.version() })],
      [15, () => ({ op: OpCode.check, path: this.path(), version: this.version() })],
      [1, () => ({ op: OpCode.getData, path: this.path(), watch: false })],
    ]);
  }

  multi(): Request {
    const rng = this.#rng;
    const count = weighted(rng, [
      [3, () => 0],
      [30, () => 1],
      [35, () => 2],
      [20, () => 3],
      [12, () => 4],
    ]);
    return { op: OpCode.multi, ops: Array.from({ length: count }, () => this.multiOp()) };
  }

  multiRead(): Request {
    const rng = this.#rng;
    const ops = Array.from({ length: rng.int(1, 3) }, (): MultiOp =>
      rng.chance(0.9)
        ? { op: rng.pick([OpCode.getData, OpCode.getChildren]), path: this.path(), watch: rng.chance(0.5) }
        : { op: OpCode.check, path: this.path(), version: -1 },
    );
    return { op: OpCode.multiRead, ops };
  }

  read(): Request {
    const rng = this.#rng;
    const watch = rng.chance(0.6);
    return weighted<Request>(rng, [
      [25, () => ({ op: OpCode.exists, path: this.path(), watch })],
      [25, () => ({ op: OpCode.getData, path: this.path(), watch })],
      [15, () => ({ op: OpCode.getChildren, path: this.path(), watch })],
      [10, () => ({ op: OpCode.getChildren2, path: this.path(), watch })],
      [6, () => ({ op: OpCode.getACL, path: this.path() })],
      [5, () => ({ op: OpCode.getAllChildrenNumber, path: this.path() })],
      [5, () => ({ op: OpCode.getEphemerals, prefixPath: rng.pick([null, '', '/', `${ROOT}/a`, `${ROOT}/b/`, ROOT]) })],
      [3, () => ({ op: OpCode.whoAmI })],
      [4, () => ({ op: OpCode.sync, path: this.path() })],
    ]);
  }

  watchOp(): Request {
    const rng = this.#rng;
    return weighted<Request>(rng, [
      [4, () => ({ op: OpCode.addWatch, path: this.path(), mode: rng.pick([AddWatchMode.Persistent, AddWatchMode.PersistentRecursive, AddWatchMode.PersistentRecursive]) })],
      [3, () => ({ op: OpCode.removeWatches, path: this.path(), type: rng.pick([1, 2, 3, 3, 4, 5]) })],
      [3, () => ({ op: OpCode.checkWatches, path: this.path(), type: rng.pick([1, 2, 3, 3, 4, 5]) })],
    ]);
  }

  setWatches(session: number): Step {
    const rng = this.#rng;
    const list = (): string[] => Array.from({ length: rng.int(0, 2) }, () => this.path());
    const isV2 = rng.chance(0.4);
    return {
      kind: 'setWatches',
      session,
      relative: rng.pick(['zero', 'last', 'back'] as const),
      request: {
        op: isV2 ? OpCode.setWatches2 : OpCode.setWatches,
        relativeZxid: 0n,
        dataWatches: list(),
        existWatches: list(),
        childWatches: list(),
        persistentWatches: isV2 ? list() : [],
        persistentRecursiveWatches: isV2 ? list() : [],
      },
    };
  }

  auth(): Request {
    const rng = this.#rng;
    return weighted<Request>(rng, [
      [80, () => {
        const u = rng.pick(USERS);
        return { op: OpCode.auth, type: 0, scheme: 'digest', auth: encoder.encode(`${u.user}:${u.password}`) };
      }],
      [10, () => ({ op: OpCode.auth, type: 0, scheme: 'digest', auth: encoder.encode('alice:wrong') })],
      [10, () => ({ op: OpCode.auth, type: 0, scheme: 'foo', auth: encoder.encode('bar') })],
    ]);
  }

  /**
   * A create outside multi. ZooKeeper 3.8.0 crashes (SyncThread "Severe unrecoverable error", the
   * server exits) applying a CreateTTLTxn whose mode is not a TTL mode and whose ttl is negative:
   * PrepRequestProcessor accepts it, EphemeralType.toEphemeralOwner throws in DataTree.processTxn.
   * Corral refuses it with BADARGUMENTS instead, so the generator never sends that combination.
   */
  topLevelCreate(): Request {
    const request = this.create();
    if (request.op !== OpCode.createTTL || request.flags === 5 || request.flags === 6 || request.ttl >= 0n) return request;
    return { ...request, ttl: 1000n };
  }

  write(): Request {
    return weighted<Request>(this.#rng, [
      [35, () => this.topLevelCreate()],
      [20, () => ({ op: OpCode.delete, path: this.path(), version: this.version() })],
      [20, () => ({ op: OpCode.setData, path: this.path(), data: this.data(), version: this.version() })],
      [8, () => ({ op: OpCode.setACL, path: this.path(), acl: this.acl(), version: this.version() })],
      [4, () => ({ op: OpCode.check, path: this.path(), version: this.#options.includeKnownDifferences ? this.version() : 99 })],
      [2, () => ({ op: OpCode.deleteContainer, path: this.path() })],
    ]);
  }

  step(session: number): Step {
    const rng = this.#rng;
    const request = (make: () => Request) => (): Step => ({ kind: 'request', session, request: make() });
    return weighted<Step>(rng, [
      [40, request(() => this.write())],
      [30, request(() => this.read())],
      [8, request(() => this.multi())],
      [3, request(() => this.multiRead())],
      [7, request(() => this.watchOp())],
      [3, () => this.setWatches(session)],
      [3, request(() => this.auth())],
      [2, () => ({ kind: 'reconnect', session })],
      [2, request(() => ({ op: OpCode.closeSession }))],
    ]);
  }
}

/** The digest credentials the dump session and the report use. */
export const digestUsers = USERS;

/** A one-line, replayable description of a step (bytes as hex, bigints as decimals). */
export function describeStep(step: Step): string {
  return JSON.stringify(step, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
    return value;
  });
}
