import { ConfigError } from './config-error.js';

/** One `key=value` entry of a .properties file, with the number of the line it starts on. */
export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

const blank = new Set([' ', '\t', '\f']);
const simpleEscapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Leading spaces, tabs and form feeds, as java.util.Properties skips them. */
function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length && blank.has(text[i] ?? '')) i++;
  return i;
}

/** True when the line ends in an odd number of backslashes, i.e. continues on the next line. */
function continues(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** Resolves `\t \n \r \f \uXXXX` and drops the backslash before any other character. */
function unescape(text: string, file: string, line: number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[++i] ?? '';
    if (next === 'u') {
      const digits = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw new ConfigError(file, `line ${line}`, 'malformed \\uxxxx escape');
      out += String.fromCharCode(Number.parseInt(digits, 16));
      i += 4;
    } else {
      out += simpleEscapes[next] ?? next;
    }
  }
  return out;
}

/** Splits a logical line into key and value as Properties.load does (`=`, `:` or blanks). */
function splitEntry(logical: string): { rawKey: string; rawValue: string } {
  let keyEnd = 0;
  let valueStart = logical.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < logical.length; keyEnd++) {
    const c = logical[keyEnd] ?? '';
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && blank.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  valueStart = skipBlank(logical, valueStart);
  if (!hasSeparator && (logical[valueStart] === '=' || logical[valueStart] === ':')) {
    valueStart = skipBlank(logical, valueStart + 1);
  }
  return { rawKey: logical.slice(0, keyEnd), rawValue: logical.slice(valueStart) };
}

/**
 * Reads java.util.Properties syntax: `#`/`!` comment lines, `key=value`, `key: value` or
 * `key value`, backslash line continuation and escapes. Keys and values are then trimmed, as
 * QuorumPeerConfig.parseProperties does. Entries come in file order; duplicates are kept.
 */
export function parseProperties(text: string, file: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    let logical = (lines[i] ?? '').slice(skipBlank(lines[i] ?? '', 0));
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (continues(logical) && i + 1 < lines.length) {
      const next = lines[++i] ?? '';
      logical = logical.slice(0, -1) + next.slice(skipBlank(next, 0));
    }
    if (continues(logical)) logical = logical.slice(0, -1);
    const { rawKey, rawValue } = splitEntry(logical);
    const key = unescape(rawKey, file, lineNumber).trim();
    const value = unescape(rawValue, file, lineNumber).trim();
    entries.push({ key, value, line: lineNumber });
  }
  return entries;
}
