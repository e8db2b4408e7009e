/**
 * Group membership: who votes, who observes, and what makes a quorum (a strict majority of the
 * voters; observers never count).
 */
import { assert } from '../../util/assert.js';
import type { MemberId } from './messages.js';

/** The members of a replicated group and its majority rule. */
export class Quorum {
  /** The voting members, sorted. */
  readonly voters: readonly MemberId[];
  /** The observers, sorted. */
  readonly observers: readonly MemberId[];
  readonly #voterSet: ReadonlySet<MemberId>;
  readonly #observerSet: ReadonlySet<MemberId>;

  constructor(voters: readonly MemberId[], observers: readonly MemberId[]) {
    this.voters = [...voters].sort((a, b) => a - b);
    this.observers = [...observers].sort((a, b) => a - b);
    this.#voterSet = new Set(voters);
    this.#observerSet = new Set(observers);
    assert(this.#voterSet.size === voters.length && this.#voterSet.size > 0, 'voters are distinct and not empty');
    assert(this.#observerSet.size === observers.length, 'observers are distinct');
    for (const id of observers) assert(!this.#voterSet.has(id), 'a member is a voter or an observer, not both');
  }

  /** The number of voters that make a majority. */
  get size(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  /** Every member, voters first. */
  get members(): readonly MemberId[] {
    return [...this.voters, ...this.observers];
  }

  /** True for a voting member. */
  isVoter(id: MemberId): boolean {
    return this.#voterSet.has(id);
  }

  /** True for an observer. */
  isObserver(id: MemberId): boolean {
    return this.#observerSet.has(id);
  }

  /** True when the distinct voters among `ids` are a majority. */
  isQuorum(ids: Iterable<MemberId>): boolean {
    let count = 0;
    for (const id of new Set(ids)) if (this.#voterSet.has(id)) count++;
    return count >= this.size;
  }
}
