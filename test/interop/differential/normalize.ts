import { ROOT } from './steps.js';

/**
 * Rewrites one server's answers into a server-independent form: zxids become `z<n>` in the
 * order this run first saw them, session ids become the runner's session labels, times are
 * dropped (only their zxids say when), the run's root becomes `$R`, child and ephemeral lists are
 * sorted (ZooKeeper returns them in hash order), and bytes become hex.
 */
export class Normalizer {
  readonly #zxids = new Map<bigint, string>();
  readonly #sessions = new Map<bigint, string>();
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** Names a session id, so that ephemeralOwner reads as the session that made the node. */
  nameSession(sessionId: bigint, label: string): void {
    this.#sessions.set(BigInt.asIntN(64, sessionId), label);
  }

  /** The stable name of a zxid: 0 and negatives stay as they are, others are numbered. */
  zxid(zxid: bigint): string {
    if (zxid <= 0n) return String(zxid);
    let name = this.#zxids.get(zxid);
    if (name === undefined) {
      name = `z${this.#zxids.size}`;
      this.#zxids.set(zxid, name);
    }
    return name;
  }

  /** A path (or any server string) with the run's root replaced by `$R`. */
  path(text: string): string {
    if (text === this.#root || text.startsWith(`${this.#root}/`)) return ROOT + text.slice(this.#root.length);
    return text;
  }

  /** A decoded response record (or any part of one) in normalised form. */
  value(value: unknown, key = ''): unknown {
    if (value === null || value === undefined) return value ?? null;
    if (typeof value === 'string') return this.path(value);
    if (typeof value === 'bigint') return String(value);
    if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
    if (Array.isArray(value)) {
      const items = value.map((item) => this.value(item));
      return key === 'children' || key === 'ephemerals' ? items.sort() : items;
    }
    if (typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if ('czxid' in record && 'pzxid' in record) return this.stat(record);
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, this.value(v, k)]));
    }
    return value;
  }

  /** A Stat without times, with zxids and the ephemeral owner named. */
  stat(stat: Record<string, unknown>): Record<string, unknown> {
    const owner = stat.ephemeralOwner as bigint;
    return {
      czxid: this.zxid(stat.czxid as bigint),
      mzxid: this.zxid(stat.mzxid as bigint),
      pzxid: this.zxid(stat.pzxid as bigint),
      version: stat.version,
      cversion: stat.cversion,
      aversion: stat.aversion,
      ephemeralOwner: owner === 0n ? '0' : (this.#sessions.get(owner) ?? `unknown-session`),
      dataLength: stat.dataLength,
      numChildren: stat.numChildren,
    };
  }
}
