/**
 * The iteration order of the Java hash sets whose order ZooKeeper 3.8.0 makes visible, computed
 * exactly so that Corral sends watch events in the same order (HashMap and String.hashCode as in
 * OpenJDK 17). Pure functions of their inputs.
 */

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer. */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** HashMap.hash: the high half folded into the low half, which picks the bucket. */
function spread(hash: number): number {
  return hash ^ (hash >>> 16);
}

/** HashMap.tableSizeFor: the smallest power of two at least `n` (at least 1). */
function tableSizeFor(n: number): number {
  let capacity = 1;
  while (capacity < n) capacity *= 2;
  return capacity;
}

/** The table capacity of a default `new HashSet<>()` that once held `peakSize` entries. */
function grownCapacity(peakSize: number, initial = 16): number {
  let capacity = initial;
  while (peakSize > capacity * 0.75) capacity *= 2;
  return capacity;
}

/**
 * The order in which ZooKeeper 3.8.0 deletes a closing session's ephemerals, and so fires their
 * watch events: PrepRequestProcessor iterates `DataTree.getEphemerals(sessionId)`, a clone of the
 * session's `HashSet<String>`, into the CloseSessionTxn's list, which DataTree.killSession
 * follows. A HashMap iterates by bucket (`spread(hash) & (capacity - 1)`), and a bucket keeps
 * its entries in insertion order. The original set's capacity grows with the most entries it ever
 * held (`peakSize`, 16 until then); `HashMap.clone` re-inserts the entries in the original's
 * iteration order into a table sized for the current count. `ephemerals` is in insertion order
 * (creation order); `added` are paths that pending creates add to the clone afterwards.
 * Not modelled: treeified or early-resized buckets (8 colliding paths in one bucket).
 */
export function closeSessionDeleteOrder(ephemerals: readonly string[], added: readonly string[], peakSize: number): string[] {
  const originalCapacity = grownCapacity(Math.max(peakSize, ephemerals.length));
  // putMapEntries: threshold = tableSizeFor((int) (size / 0.75f + 1.0f)); the first put allocates it.
  const cloneCapacity = grownCapacity(ephemerals.length + added.length, tableSizeFor(Math.trunc(ephemerals.length / 0.75 + 1)));
  const entries = [
    ...ephemerals.map((path, index) => ({ path, index, hash: spread(javaStringHash(path)), original: true })),
    ...added.map((path, index) => ({ path, index, hash: spread(javaStringHash(path)), original: false })),
  ];
  const rank = (e: (typeof entries)[number]): number => (e.original ? e.hash & (originalCapacity - 1) : originalCapacity);
  entries.sort(
    (a, b) =>
      (a.hash & (cloneCapacity - 1)) - (b.hash & (cloneCapacity - 1)) ||
      rank(a) - rank(b) ||
      a.index - b.index,
  );
  return entries.map((e) => e.path);
}
