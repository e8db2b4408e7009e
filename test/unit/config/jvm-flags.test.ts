import { describe, expect, it } from 'vitest';
import { ConfigError, juteMaxBufferFromJvmFlags } from '../../../server/config/index.js';

describe('juteMaxBufferFromJvmFlags', () => {
  it('is undefined when neither variable sets -Djute.maxbuffer', () => {
    expect(juteMaxBufferFromJvmFlags(undefined, undefined)).toBeUndefined();
    expect(juteMaxBufferFromJvmFlags('-Xmx1g', '-Dzookeeper.jute.maxbuffer=5')).toBeUndefined();
  });

  it('reads Integer.decode syntax, and JVMFLAGS wins over SERVER_JVMFLAGS as zkServer.sh orders them', () => {
    expect(juteMaxBufferFromJvmFlags('-Xmx1g -Djute.maxbuffer=4194304', undefined)).toBe(4_194_304);
    expect(juteMaxBufferFromJvmFlags(undefined, '-Djute.maxbuffer=0x400000')).toBe(0x400000);
    expect(juteMaxBufferFromJvmFlags('-Djute.maxbuffer=#10', undefined)).toBe(16);
    expect(juteMaxBufferFromJvmFlags('-Djute.maxbuffer=010', undefined)).toBe(8);
    expect(juteMaxBufferFromJvmFlags('-Djute.maxbuffer=100', '-Djute.maxbuffer=200')).toBe(200);
  });

  it('refuses a value that is not a positive Java int, naming the key', () => {
    for (const bad of ['abc', '0', '-5', '4m', '2147483648', '']) {
      expect(() => juteMaxBufferFromJvmFlags(`-Djute.maxbuffer=${bad}`, undefined)).toThrow(ConfigError);
    }
    expect(() => juteMaxBufferFromJvmFlags('-Djute.maxbuffer=4m', undefined)).toThrow(/jute\.maxbuffer: expected a positive integer, got "4m"/);
  });
});
