/**
 * Interned ACL lists with reference counts, after ZooKeeper's ReferenceCountedACLCache: a
 * million znodes usually share a handful of ACL lists, so each node holds one pointer.
 */
import type { Acl } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import { hashAcl, type Hash64 } from './digest.js';

/** One interned ACL list; nodes point at it. */
export interface AclEntry {
  readonly acl: readonly Acl[];
  readonly key: string;
  readonly hash: Hash64;
  refs: number;
}

/** The key that identifies an ACL list by value. */
function aclKey(acl: readonly Acl[]): string {
  let key = '';
  for (const entry of acl) {
    key += `${entry.perms},${entry.id.scheme.length}:${entry.id.scheme}${entry.id.id.length}:${entry.id.id};`;
  }
  return key;
}

function sameAcl(a: readonly Acl[], b: readonly Acl[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Acl;
    const y = b[i] as Acl;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

/** Interns ACL lists by value and counts the nodes that use each. */
export class AclCache {
  readonly #entries = new Map<string, AclEntry>();
  /** The last entry handed out: most creates repeat the previous ACL, so skip the key. */
  #last: AclEntry | null = null;

  /** The number of distinct ACL lists in use. */
  get size(): number {
    return this.#entries.size;
  }

  /** Returns the shared entry for `acl` and counts one more user. */
  acquire(acl: readonly Acl[]): AclEntry {
    const last = this.#last;
    if (last !== null && last.refs > 0 && sameAcl(last.acl, acl)) {
      last.refs++;
      return last;
    }
    const key = aclKey(acl);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const frozen = Object.freeze(
        acl.map((a) => Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) })),
      );
      entry = { acl: frozen, key, hash: hashAcl(frozen), refs: 0 };
      this.#entries.set(key, entry);
    }
    entry.refs++;
    this.#last = entry;
    return entry;
  }

  /** Counts one more user of an entry this cache already holds. */
  retain(entry: AclEntry): void {
    assert(this.#entries.get(entry.key) === entry, 'retained ACL entry belongs to this cache');
    entry.refs++;
  }

  /** Counts one user fewer; the entry is dropped when none remain. */
  release(entry: AclEntry): void {
    assert(entry.refs > 0, 'ACL entry released more often than acquired');
    entry.refs--;
    if (entry.refs === 0) {
      this.#entries.delete(entry.key);
      if (this.#last === entry) this.#last = null;
    }
  }
}
