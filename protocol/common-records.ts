/**
 * Readers and writers of the records shared by many messages: Stat, Id, ACL, ClientInfo
 * (reference §5.1, §5.2).
 */
import { DecodeError, type JuteReader, type JuteWriter } from './jute.js';
import type { Acl, ClientInfo, Stat } from './records.js';

/** Bytes of a Stat on the wire. */
export const STAT_BYTES = 68;

/** Reads a Stat in wire order. */
export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.readLong(),
    mzxid: r.readLong(),
    ctime: r.readLong(),
    mtime: r.readLong(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readLong(),
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong(),
  };
}

/** Writes a Stat in wire order. */
export function writeStat(w: JuteWriter, stat: Stat): void {
  w.writeLong(stat.czxid);
  w.writeLong(stat.mzxid);
  w.writeLong(stat.ctime);
  w.writeLong(stat.mtime);
  w.writeInt(stat.version);
  w.writeInt(stat.cversion);
  w.writeInt(stat.aversion);
  w.writeLong(stat.ephemeralOwner);
  w.writeInt(stat.dataLength);
  w.writeInt(stat.numChildren);
  w.writeLong(stat.pzxid);
}

/** Smallest ACL entry on the wire: perms and two empty strings. */
export const ACL_MIN_BYTES = 12;

/** Reads one ACL entry; null scheme or id read as "" (kazoo writes "" as null, §1.2). */
export function readAcl(r: JuteReader): Acl {
  const perms = r.readInt();
  const scheme = r.readString();
  const id = r.readString();
  return { perms, id: { scheme, id } };
}

/** Writes one ACL entry. */
export function writeAcl(w: JuteWriter, acl: Acl): void {
  w.writeInt(acl.perms);
  w.writeUstring(acl.id.scheme);
  w.writeUstring(acl.id.id);
}

/** Reads a vector<ACL>; null reads as empty. */
export function readAclVector(r: JuteReader): Acl[] {
  return r.readVector(ACL_MIN_BYTES, readAcl);
}

/** Writes a vector<ACL>. */
export function writeAclVector(w: JuteWriter, acl: readonly Acl[]): void {
  w.writeVector(acl, writeAcl);
}

/** Reads one ClientInfo of a whoAmI reply. */
export function readClientInfo(r: JuteReader): ClientInfo {
  const authScheme = r.readString();
  const user = r.readString();
  return { authScheme, user };
}

/** Writes one ClientInfo. */
export function writeClientInfo(w: JuteWriter, info: ClientInfo): void {
  w.writeUstring(info.authScheme);
  w.writeUstring(info.user);
}

/**
 * Reads a znode path that ZooKeeper 3.8 uses before any check: a null path is refused, since 3.8
 * answers MARSHALLINGERROR for it (a NullPointerException caught by PrepRequestProcessor or
 * FinalRequestProcessor; observed for create, delete, exists, getData, getChildren(2), getACL,
 * getAllChildrenNumber, checkWatches and multi sub-ops), while "" is an ordinary (invalid) path.
 */
export function readPath(r: JuteReader): string {
  const path = r.readUstring();
  if (path === null) throw new DecodeError('null path');
  return path;
}

/** Reads a vector of paths: a null vector reads as empty, a null item is refused as in readPath. */
export function readPathVector(r: JuteReader): string[] {
  const count = r.readCount(4);
  const paths = new Array<string>(count);
  for (let i = 0; i < count; i++) paths[i] = readPath(r);
  return paths;
}
