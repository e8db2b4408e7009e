/**
 * Clamps a client's requested session timeout into [minMs, maxMs], as
 * ZooKeeperServer.processConnectRequest does (reference §2.3 step 4).
 */
export function negotiateTimeout(requestedMs: number, minMs: number, maxMs: number): number {
  if (requestedMs < minMs) return minMs;
  if (requestedMs > maxMs) return maxMs;
  return requestedMs;
}
