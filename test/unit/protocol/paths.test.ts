// Path rules (reference §6.3, PathUtils.validatePath), path helpers, and the ACL helpers (§5.2, §6.4).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREATOR_ALL_ACL,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
  baseName,
  digestAuthId,
  isValidPathChar,
  joinPath,
  parentPath,
  sequenceSuffix,
  validatePath,
} from '../../../protocol/index.js';

describe('validatePath (§6.3)', () => {
  it.each([
    ['', 'Path length must be > 0'],
    ['a/b', 'Path must start with / character'],
    ['/a/', 'Path must not end with / character'],
    ['/a//b', 'Invalid path string "/a//b" caused by empty node name specified @3'],
    ['/a/./b', 'Invalid path string "/a/./b" caused by relative paths not allowed @3'],
    ['/a/..', 'Invalid path string "/a/.." caused by relative paths not allowed @4'],
    ['/.', 'Invalid path string "/." caused by relative paths not allowed @1'],
    ['/../a', 'Invalid path string "/../a" caused by relative paths not allowed @2'],
    ['/a\u0000', 'Invalid path string "/a\u0000" caused by null character not allowed @2'],
    ['/a\u0001', 'Invalid path string "/a\u0001" caused by invalid character @2'],
    ['/a\u001f', 'Invalid path string "/a\u001f" caused by invalid character @2'],
    ['/\u007f', 'Invalid path string "/\u007f" caused by invalid character @1'],
    ['/\u009f', 'Invalid path string "/\u009f" caused by invalid character @1'],
    ['/\ud800', 'Invalid path string "/\ud800" caused by invalid character @1'],
    ['/\uf8ff', 'Invalid path string "/\uf8ff" caused by invalid character @1'],
    ['/\ufff0', 'Invalid path string "/\ufff0" caused by invalid character @1'],
    ['/\uffff', 'Invalid path string "/\uffff" caused by invalid character @1'],
    ['/😀', 'Invalid path string "/😀" caused by invalid character @1'],
  ])('%j is invalid: %s', (path, reason) => {
    expect(validatePath(path)).toBe(reason);
  });

  it.each(['/', '/a', '/a/b', '/a/.b', '/a/b.', '/a/..b', '/...', '/a.', '/zookeeper/x', '/\u00a0', '/é', '/\uf900', '/\uffef', '/ '])(
    '%j is valid',
    (path) => {
      expect(validatePath(path)).toBeNull();
    },
  );

  it('a sequential path is validated with the suffix appended, so it may end in "/"', () => {
    expect(validatePath('/a/', true)).toBeNull();
    expect(validatePath('/', true)).toBeNull();
    expect(validatePath('/a//', true)).toBe('Invalid path string "/a//1" caused by empty node name specified @3');
    expect(validatePath('', true)).toBe('Path must start with / character');
  });

  it('agrees with isValidPathChar on single-character names', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (code) => {
        const c = String.fromCharCode(code);
        if (c === '/' || c === '.') return;
        expect(validatePath(`/${c}`) === null).toBe(isValidPathChar(code));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('path helpers', () => {
  it('parentPath', () => {
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
    expect(parentPath('/')).toBeNull();
  });

  it('baseName', () => {
    expect(baseName('/a/b')).toBe('b');
    expect(baseName('/a')).toBe('a');
    expect(baseName('/')).toBe('');
  });

  it('joinPath inverts parentPath and baseName', () => {
    expect(joinPath('/', 'a')).toBe('/a');
    expect(joinPath('/a', 'b')).toBe('/a/b');
    for (const path of ['/a', '/a/b', '/x/y/z']) expect(joinPath(parentPath(path) ?? '', baseName(path))).toBe(path);
  });
});

describe('ACL helpers (§5.2)', () => {
  it('predefined ACL lists', () => {
    expect(OPEN_ACL_UNSAFE).toEqual([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
    expect(CREATOR_ALL_ACL).toEqual([{ perms: 31, id: { scheme: 'auth', id: '' } }]);
    expect(READ_ACL_UNSAFE).toEqual([{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
  });

  it('digestAuthId("bob", "secret") is bob:fyVmFCwVbTJYrznoSu1koqYEYF0= (observed)', () => {
    expect(digestAuthId('bob', 'secret')).toBe('bob:fyVmFCwVbTJYrznoSu1koqYEYF0=');
  });
});

describe('sequenceSuffix (§6.4, String.format("%010d"))', () => {
  it.each([
    [0, '0000000000'],
    [2, '0000000002'],
    [2147483647, '2147483647'],
    [-5, '-000000005'],
    [-2147483648, '-2147483648'],
    [2147483648, '-2147483648'],
  ])('%i -> %s', (n, suffix) => {
    expect(sequenceSuffix(n)).toBe(suffix);
  });
});
