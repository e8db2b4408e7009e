/**
 * The ZooKeeper client wire format: records, opcodes, framing, codec, paths, error codes.
 * Pure: no I/O, no clocks. Decoders return results and never throw on bad input.
 */
export * from './opcodes.js';
export * from './errors.js';
export type * from './records.js';
