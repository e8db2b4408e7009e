/**
 * AuthInfo keeps auth ids in the iteration order of Java 17's ConcurrentHashMap key set, which
 * is the order ZooKeeper 3.8's whoAmI lists them in. The expected orders were printed by
 * `Collections.newSetFromMap(new ConcurrentHashMap<Id, Boolean>())` filled with
 * org.apache.zookeeper.data.Id from zookeeper-jute 3.8.0 on OpenJDK 17, adding the ids left to right.
 */
import { describe, expect, it } from 'vitest';
import { AuthInfo, javaIdHashCode, javaStringHashCode, spread } from '../../../server/replica/auth-info.js';

/** Ids as `scheme=id` tokens separated by spaces, added left to right. */
const JAVA_ORDERS: readonly { name: string; added: string; java: string }[] = [
  {
    name: "alice after ip",
    added: "ip=127.0.0.1 digest=alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
    java: "ip=127.0.0.1 digest=alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
  },
  {
    name: "alice then bob",
    added: "ip=127.0.0.1 digest=alice:V55/p2T0OpjQ+low3NVAH4aLvm0= digest=bob:DzYBVPYoUPHuiOrAcsz6mJwnG9k=",
    java: "digest=bob:DzYBVPYoUPHuiOrAcsz6mJwnG9k= ip=127.0.0.1 digest=alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
  },
  {
    name: "bob then alice",
    added: "ip=127.0.0.1 digest=bob:DzYBVPYoUPHuiOrAcsz6mJwnG9k= digest=alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
    java: "digest=bob:DzYBVPYoUPHuiOrAcsz6mJwnG9k= ip=127.0.0.1 digest=alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
  },
  {
    name: "the super user (super and digest ids)",
    added: "ip=127.0.0.1 super= digest=super:lK75jTNcA+U9vtVEw5vB51mj/w4=",
    java: "super= digest=super:lK75jTNcA+U9vtVEw5vB51mj/w4= ip=127.0.0.1",
  },
  {
    name: "14 ids: one resize to 32 slots (split bins, last runs reused)",
    added: "ip=127.0.0.1 digest=u0:p digest=u1:p digest=u2:p digest=u3:p digest=u4:p digest=u5:p digest=u6:p digest=u7:p digest=u8:p digest=u9:p digest=u10:p digest=u11:p digest=u12:p digest=u13:p",
    java: "digest=u13:p digest=u11:p digest=u12:p digest=u3:p digest=u2:p digest=u5:p digest=u4:p ip=127.0.0.1 digest=u7:p digest=u6:p digest=u10:p digest=u9:p digest=u8:p digest=u1:p digest=u0:p",
  },
  {
    name: "40 ids: resizes to 64 slots",
    added: "ip=127.0.0.1 digest=u0:0 digest=u7:1 digest=u14:2 digest=u21:0 digest=u28:1 digest=u35:2 digest=u42:0 digest=u49:1 digest=u56:2 digest=u63:0 digest=u70:1 digest=u77:2 digest=u84:0 digest=u91:1 digest=u98:2 digest=u105:0 digest=u112:1 digest=u119:2 digest=u126:0 digest=u133:1 digest=u140:2 digest=u147:0 digest=u154:1 digest=u161:2 digest=u168:0 digest=u175:1 digest=u182:2 digest=u189:0 digest=u196:1 digest=u203:2 digest=u210:0 digest=u217:1 digest=u224:2 digest=u231:0 digest=u238:1 digest=u245:2 digest=u252:0 digest=u259:1 digest=u266:2 digest=u273:0",
    java: "digest=u49:1 digest=u28:1 digest=u189:0 digest=u105:0 digest=u126:0 digest=u147:0 digest=u168:0 digest=u63:0 digest=u273:0 digest=u84:0 digest=u42:0 ip=127.0.0.1 digest=u21:0 digest=u231:0 digest=u210:0 digest=u252:0 digest=u7:1 digest=u238:1 digest=u217:1 digest=u259:1 digest=u0:0 digest=u140:2 digest=u161:2 digest=u182:2 digest=u112:1 digest=u133:1 digest=u98:2 digest=u77:2 digest=u56:2 digest=u35:2 digest=u14:2 digest=u119:2 digest=u70:1 digest=u91:1 digest=u245:2 digest=u203:2 digest=u224:2 digest=u266:2 digest=u175:1 digest=u154:1 digest=u196:1",
  },
  {
    name: "10 ids of one String.hashCode: the 9th grows the table x8 (tryPresize)",
    added: "ip=127.0.0.1 digest=AaAaAaAa digest=BBAaAaAa digest=AaBBAaAa digest=BBBBAaAa digest=AaAaBBAa digest=BBAaBBAa digest=AaBBBBAa digest=BBBBBBAa digest=AaAaAaBB digest=BBAaAaBB",
    java: "ip=127.0.0.1 digest=AaAaAaAa digest=BBAaAaAa digest=AaBBAaAa digest=BBBBAaAa digest=AaAaBBAa digest=BBAaBBAa digest=AaBBBBAa digest=BBBBBBAa digest=AaAaAaBB digest=BBAaAaBB",
  },
  {
    name: "16 ids of one String.hashCode: a tree bin puts new ids first",
    added: "ip=127.0.0.1 digest=AaAaAaAa digest=BBAaAaAa digest=AaBBAaAa digest=BBBBAaAa digest=AaAaBBAa digest=BBAaBBAa digest=AaBBBBAa digest=BBBBBBAa digest=AaAaAaBB digest=BBAaAaBB digest=AaBBAaBB digest=BBBBAaBB digest=AaAaBBBB digest=BBAaBBBB digest=AaBBBBBB digest=BBBBBBBB",
    java: "ip=127.0.0.1 digest=BBBBBBBB digest=AaBBBBBB digest=BBAaBBBB digest=AaAaBBBB digest=BBBBAaBB digest=AaBBAaBB digest=AaAaAaAa digest=BBAaAaAa digest=AaBBAaAa digest=BBBBAaAa digest=AaAaBBAa digest=BBAaBBAa digest=AaBBBBAa digest=BBBBBBAa digest=AaAaAaBB digest=BBAaAaBB",
  },
];

function idsOf(tokens: string): { scheme: string; id: string }[] {
  return tokens.split(' ').map((token) => {
    const at = token.indexOf('=');
    return { scheme: token.slice(0, at), id: token.slice(at + 1) };
  });
}

describe('AuthInfo (ServerCnxn.authInfo order)', () => {
  it.each(JAVA_ORDERS)('$name: the order Java iterates', ({ added, java }) => {
    const info = new AuthInfo();
    for (const id of idsOf(added)) info.add(id);
    expect(info.ids.map((id) => `${id.scheme}=${id.id}`).join(' ')).toBe(java);
  });

  it('adds an equal id once and reports whether it added', () => {
    const info = new AuthInfo();
    expect(info.add({ scheme: 'digest', id: 'a:b' })).toBe(true);
    expect(info.add({ scheme: 'digest', id: 'a:b' })).toBe(false);
    expect(info.add({ scheme: 'ip', id: 'a:b' })).toBe(true);
    expect(info.ids).toHaveLength(2);
  });

  it('hashes as String.hashCode, Id.hashCode and spread do (values printed by Java 17)', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('\u00e9\u4e2d')).toBe(27236);
    expect(javaIdHashCode({ scheme: 'ip', id: '127.0.0.1' })).toBe(1506146057);
    expect(spread(-1)).toBe(0x7fff_0000);
  });
});
