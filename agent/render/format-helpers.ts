import { stringify as toYamlText } from 'yaml';
import { quoteDotenvValue } from './dotenv.js';
import { mangleEnvName } from './env-mapping.js';

/** A formatting helper: plain arguments in (Handlebars' options removed), a value out. */
export type FormatHelper = (args: readonly unknown[]) => unknown;

function text(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`expected ${what} to be text`);
}

function arity(args: readonly unknown[], count: number): void {
  if (args.length !== count) throw new TypeError(`expected ${count} argument${count === 1 ? '' : 's'}, got ${args.length}`);
}

/** Unwraps Handlebars' SafeString (what block helpers return) so it serializes as plain text. */
function plain(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'toHTML' in value && typeof value.toHTML === 'function') {
    return String(value.toHTML());
  }
  return value;
}

/**
 * Escapes text for a Java .properties file as Properties.store writes it: `\`, the separators
 * `=` and `:`, the comment marks `#` and `!`, line breaks, tabs and form feeds, a leading space
 * (every space in a key), and anything outside printable ASCII as `\uXXXX`, so Properties.load
 * (ISO-8859-1) reads back exactly the text.
 */
function escapeProperties(value: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = value.charCodeAt(i);
    if (ch === ' ') out += isKey || i === 0 ? '\\ ' : ' ';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\f') out += '\\f';
    else if (ch === '=' || ch === ':' || ch === '#' || ch === '!') out += `\\${ch}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** The formatting helpers in the spirit of consul-template, keyed by their template names. */
export const formatHelpers: Readonly<Record<string, FormatHelper>> = {
  toJSON: (args) => (arity(args, 1), JSON.stringify(plain(args[0]) ?? null)),
  toJSONPretty: (args) => (arity(args, 1), JSON.stringify(plain(args[0]) ?? null, null, 2)),
  toYAML: (args) => (arity(args, 1), toYamlText(plain(args[0]) ?? null).replace(/\n$/, '')),
  parseJSON: (args) => {
    arity(args, 1);
    try {
      return JSON.parse(text(args[0], 'the JSON')) as unknown;
    } catch (err) {
      if (err instanceof SyntaxError) throw new TypeError(`invalid JSON: ${err.message}`);
      throw err;
    }
  },
  join: (args) => {
    arity(args, 2);
    const list = args[0];
    if (!Array.isArray(list)) throw new TypeError('expected a list to join');
    return list.map((item: unknown) => text(item, 'each item')).join(text(args[1], 'the separator'));
  },
  split: (args) => (arity(args, 2), text(args[0], 'the value').split(text(args[1], 'the separator'))),
  toUpper: (args) => (arity(args, 1), text(args[0], 'the value').toUpperCase()),
  toLower: (args) => (arity(args, 1), text(args[0], 'the value').toLowerCase()),
  trimSpace: (args) => (arity(args, 1), text(args[0], 'the value').trim()),
  replace: (args) => {
    arity(args, 3);
    return text(args[0], 'the value').replaceAll(text(args[1], 'the search text'), text(args[2], 'the replacement'));
  },
  base64Encode: (args) => (arity(args, 1), Buffer.from(text(args[0], 'the value'), 'utf8').toString('base64')),
  base64Decode: (args) => {
    arity(args, 1);
    const encoded = text(args[0], 'the value');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new TypeError('invalid base64');
    return Buffer.from(encoded, 'base64').toString('utf8');
  },
  envName: (args) => (arity(args, 1), mangleEnvName(text(args[0], 'the key'))),
  dotenvValue: (args) => (arity(args, 1), quoteDotenvValue(text(args[0], 'the value'))),
  propertiesKey: (args) => (arity(args, 1), escapeProperties(text(args[0], 'the key'), true)),
  propertiesValue: (args) => (arity(args, 1), escapeProperties(text(args[0], 'the value'), false)),
  indent: (args) => {
    arity(args, 2);
    const count = args[0];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new TypeError('expected a count of spaces');
    const pad = ' '.repeat(count);
    return text(args[1], 'the value')
      .split('\n')
      .map((line) => (line === '' ? line : pad + line))
      .join('\n');
  },
};
