/**
 * ZooKeeper reads `jute.maxbuffer` only as a JVM system property, which zkServer.sh passes from
 * the environment: `java ... $SERVER_JVMFLAGS $JVMFLAGS ...` (zkServer.sh puts SERVER_JVMFLAGS
 * first, and the JVM keeps the last `-D` of a name). Corral reads the same variables the same
 * way. Pure: the shell hands over the variables' text.
 */
import { ConfigError } from './config-error.js';

/** Where the value came from, as named in a ConfigError. */
const SOURCE = 'SERVER_JVMFLAGS/JVMFLAGS';
const FLAG = '-Djute.maxbuffer=';

/**
 * The last `-Djute.maxbuffer=<n>` in `serverJvmFlags` then `jvmFlags` (either may be absent), or
 * undefined when neither sets it. `<n>` is read as Java's Integer.decode reads it (decimal, `0x`
 * / `#` hex, leading-0 octal); anything else, or a value outside 1..2^31-1, throws ConfigError
 * (Java would silently keep the default, which hides a typo until a large request fails).
 */
export function juteMaxBufferFromJvmFlags(serverJvmFlags: string | undefined, jvmFlags: string | undefined): number | undefined {
  const words = `${serverJvmFlags ?? ''} ${jvmFlags ?? ''}`.split(/\s+/);
  const text = words.filter((word) => word.startsWith(FLAG)).at(-1)?.slice(FLAG.length);
  if (text === undefined) return undefined;
  const value = decodeJavaInt(text);
  if (value === null || value <= 0) {
    throw new ConfigError(SOURCE, 'jute.maxbuffer', `expected a positive integer, got "${text}"`);
  }
  return value;
}

/** Java's Integer.decode, or null when it would throw. */
function decodeJavaInt(text: string): number | null {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|#[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (match === null) return null;
  const [, sign = '', digits = ''] = match;
  const magnitude =
    digits.startsWith('0x') || digits.startsWith('0X')
      ? parseInt(digits.slice(2), 16)
      : digits.startsWith('#')
        ? parseInt(digits.slice(1), 16)
        : digits.length > 1 && digits.startsWith('0')
          ? parseInt(digits.slice(1), 8)
          : parseInt(digits, 10);
  const value = sign === '-' ? -magnitude : magnitude;
  return value >= -(2 ** 31) && value <= 2 ** 31 - 1 ? value : null;
}
