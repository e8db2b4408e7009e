/** Formats a 64-bit id or zxid as ZooKeeper prints it: `0x` and lowercase hex, no padding. */
export function hex(value: bigint | number): string {
  const v = typeof value === 'bigint' ? BigInt.asUintN(64, value) : value;
  return `0x${v.toString(16)}`;
}
