import { describe, expect, it } from 'vitest';
import { digestAuthId, OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { Perms } from '../../../protocol/opcodes.js';
import type { Acl, Id } from '../../../protocol/records.js';
import { checkAcl, fixupAcl, maskDigestIds } from '../../../server/tree/index.js';

const bob: Id = { scheme: 'digest', id: digestAuthId('bob', 'secret') };
const ip: Id = { scheme: 'ip', id: '127.0.0.1' };
const caller = (authIds: readonly Id[], isSuper = false) => ({ authIds, isSuper, skipAcl: false });

describe('checkAcl (ZooKeeperServer.checkACL)', () => {
  const bobOnly: Acl[] = [{ perms: Perms.Read | Perms.Write, id: bob }];

  it('world:anyone grants its perms to everyone', () => {
    expect(checkAcl(OPEN_ACL_UNSAFE, Perms.Admin, caller([]))).toBe(true);
    expect(checkAcl([{ perms: Perms.Read, id: { scheme: 'world', id: 'anyone' } }], Perms.Write, caller([]))).toBe(false);
  });

  it('digest matches the exact user:hash id the auth packet produced', () => {
    expect(bob.id).toBe('bob:fyVmFCwVbTJYrznoSu1koqYEYF0=');
    expect(checkAcl(bobOnly, Perms.Read, caller([bob, ip]))).toBe(true);
    expect(checkAcl(bobOnly, Perms.Read, caller([{ scheme: 'digest', id: digestAuthId('bob', 'wrong') }]))).toBe(false);
    expect(checkAcl(bobOnly, Perms.Delete, caller([bob]))).toBe(false);
  });

  it('ip matches an address or a CIDR range, IPv4 and IPv6', () => {
    const range: Acl[] = [{ perms: Perms.All, id: { scheme: 'ip', id: '10.1.0.0/16' } }];
    expect(checkAcl(range, Perms.Read, caller([{ scheme: 'ip', id: '10.1.200.3' }]))).toBe(true);
    expect(checkAcl(range, Perms.Read, caller([{ scheme: 'ip', id: '10.2.0.1' }]))).toBe(false);
    const v6: Acl[] = [{ perms: Perms.All, id: { scheme: 'ip', id: '::1' } }];
    expect(checkAcl(v6, Perms.Read, caller([{ scheme: 'ip', id: '0:0:0:0:0:0:0:1' }]))).toBe(true);
    expect(checkAcl(v6, Perms.Read, caller([ip]))).toBe(false);
  });

  it('super, skipACL and an empty ACL list pass every check', () => {
    expect(checkAcl(bobOnly, Perms.Admin, caller([], true))).toBe(true);
    expect(checkAcl(bobOnly, Perms.Admin, caller([{ scheme: 'super', id: '' }]))).toBe(true);
    expect(checkAcl(bobOnly, Perms.Admin, { authIds: [], isSuper: false, skipAcl: true })).toBe(true);
    expect(checkAcl([], Perms.Admin, caller([]))).toBe(true);
  });
});

describe('fixupAcl (PrepRequestProcessor.fixupACL)', () => {
  it('auth expands to every authenticated id of the caller, ip excluded', () => {
    const acl = fixupAcl([{ perms: Perms.All, id: { scheme: 'auth', id: 'ignored' } }], [ip, bob]);
    expect(acl).toEqual([{ perms: Perms.All, id: bob }]);
  });

  it('auth without an authenticated id, an empty list, unknown schemes and bad ids are INVALIDACL', () => {
    expect(fixupAcl([{ perms: Perms.All, id: { scheme: 'auth', id: '' } }], [ip])).toBeNull();
    expect(fixupAcl([], [])).toBeNull();
    expect(fixupAcl([{ perms: 1, id: { scheme: 'sasl', id: 'x' } }], [])).toBeNull();
    expect(fixupAcl([{ perms: 1, id: { scheme: 'world', id: 'everyone' } }], [])).toBeNull();
    expect(fixupAcl([{ perms: 1, id: { scheme: 'digest', id: 'nocolon' } }], [])).toBeNull();
    expect(fixupAcl([{ perms: 1, id: { scheme: 'ip', id: '300.1.1.1' } }], [])).toBeNull();
    expect(fixupAcl([{ perms: 1, id: { scheme: 'ip', id: '10.0.0.0/33' } }], [])).toBeNull();
  });

  it('keeps valid digest and ip ids and drops exact duplicates in order', () => {
    const entry: Acl = { perms: Perms.Read, id: { scheme: 'ip', id: '10.0.0.0/8' } };
    expect(fixupAcl([entry, OPEN_ACL_UNSAFE[0] as Acl, entry], [])).toEqual([entry, OPEN_ACL_UNSAFE[0]]);
    expect(fixupAcl([{ perms: 1, id: { scheme: 'digest', id: 'a:b' } }], [])).not.toBeNull();
  });
});

describe('maskDigestIds (getACL without ADMIN)', () => {
  it('shows digest ids as user:x and leaves other schemes', () => {
    expect(maskDigestIds([{ perms: 1, id: bob }, { perms: 1, id: ip }])).toEqual([
      { perms: 1, id: { scheme: 'digest', id: 'bob:x' } },
      { perms: 1, id: ip },
    ]);
  });
});
