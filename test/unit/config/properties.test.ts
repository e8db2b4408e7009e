import { describe, expect, it } from 'vitest';
import { ConfigError, parseProperties } from '../../../server/config/index.js';

const pairs = (text: string): [string, string][] => parseProperties(text, 'zoo.cfg').map((e) => [e.key, e.value]);

describe('parseProperties (java.util.Properties syntax)', () => {
  it('reads key=value, key: value and key value, trimming both sides', () => {
    expect(pairs('a=1\n  b : 2  \nc 3\nd\t=\t4\n')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ]);
  });

  it('skips # and ! comments and blank lines, with any line ending', () => {
    expect(pairs('# c\r\n! c\r\n\r\n   \ra=1\rb=2')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('joins backslash-continued lines, dropping the next line’s leading blanks', () => {
    expect(pairs('list=a,\\\n    b,\\\n  c\nnext=1')).toEqual([
      ['list', 'a,b,c'],
      ['next', '1'],
    ]);
  });

  it('does not continue a comment line or an even run of backslashes', () => {
    expect(pairs('# comment \\\na=1\nb=x\\\\\nc=2')).toEqual([
      ['a', '1'],
      ['b', 'x\\'],
      ['c', '2'],
    ]);
  });

  it('resolves escapes, including escaped separators in keys', () => {
    expect(pairs('a\\=b=c\\td\nu=\\u0041\\z')).toEqual([
      ['a=b', 'c\td'],
      ['u', 'Az'],
    ]);
  });

  it('keeps a second separator as part of the value', () => {
    expect(pairs('a==b\nserver.1=h:1:2')).toEqual([
      ['a', '=b'],
      ['server.1', 'h:1:2'],
    ]);
  });

  it('rejects a malformed \\u escape with a ConfigError', () => {
    expect(() => parseProperties('a=\\u00zz', 'zoo.cfg')).toThrow(ConfigError);
  });
});
