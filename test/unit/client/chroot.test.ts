import { describe, expect, it } from 'vitest';
import { toClientPath, toServerPath } from '../../../client/chroot.js';

describe('chroot', () => {
  it('prefixes outgoing paths, mapping / to the chroot itself', () => {
    expect(toServerPath('/app', '/')).toBe('/app');
    expect(toServerPath('/app', '/a/b')).toBe('/app/a/b');
    expect(toServerPath(undefined, '/a')).toBe('/a');
  });

  it('strips the chroot from incoming paths', () => {
    expect(toClientPath('/app', '/app')).toBe('/');
    expect(toClientPath('/app', '/app/a/b')).toBe('/a/b');
    expect(toClientPath(undefined, '/app/a')).toBe('/app/a');
  });

  it('leaves a path outside the chroot unchanged (a sibling sharing the prefix is outside)', () => {
    expect(toClientPath('/app', '/app2/x')).toBe('/app2/x');
  });
});
