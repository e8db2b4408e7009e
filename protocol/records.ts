/**
 * The jute records of the client protocol as TypeScript types (reference §2, §3, §5).
 * 64-bit fields are bigint; `buffer` fields are `Uint8Array | null` because null and empty
 * differ on the wire and the server preserves the difference (reference §1.2).
 */
import type { OpCode } from './opcodes.js';

/** Stat, 68 bytes on the wire, in wire order (reference §5.1). */
export interface Stat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly ctime: bigint;
  readonly mtime: bigint;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly pzxid: bigint;
}

/** An authentication identity: scheme and id (reference §5.2). */
export interface Id {
  readonly scheme: string;
  readonly id: string;
}

/** One ACL entry. */
export interface Acl {
  readonly perms: number;
  readonly id: Id;
}

/** One entry of a whoAmI reply. */
export interface ClientInfo {
  readonly authScheme: string;
  readonly user: string;
}

/** The first client frame (reference §2.1); `readOnly` is null when the client omitted it. */
export interface ConnectRequest {
  readonly protocolVersion: number;
  readonly lastZxidSeen: bigint;
  readonly timeOut: number;
  readonly sessionId: bigint;
  readonly passwd: Uint8Array | null;
  readonly readOnly: boolean | null;
}

/** The first server frame (reference §2.2); `readOnly` null means the byte is omitted. */
export interface ConnectResponse {
  readonly protocolVersion: number;
  readonly timeOut: number;
  readonly sessionId: bigint;
  readonly passwd: Uint8Array | null;
  readonly readOnly: boolean | null;
}

/** Precedes every client frame after the connect request. */
export interface RequestHeader {
  readonly xid: number;
  readonly type: number;
}

/** Precedes every server frame after the connect response. */
export interface ReplyHeader {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: number;
}

/** A watch notification body (reference §3.4). */
export interface WatcherEvent {
  readonly type: number;
  readonly state: number;
  readonly path: string;
}

// ---------------------------------------------------------------------------------------------
// Requests: one flat, discriminated union keyed by `op` (the RequestHeader type).

/** create, create2, createContainer (ops 1, 15, 19). */
export interface CreateRequest {
  readonly op: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly flags: number;
}

/** createTTL (op 21). */
export interface CreateTtlRequest {
  readonly op: typeof OpCode.createTTL;
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly flags: number;
  readonly ttl: bigint;
}

/** delete (op 2). */
export interface DeleteRequest {
  readonly op: typeof OpCode.delete;
  readonly path: string;
  readonly version: number;
}

/** deleteContainer (op 20); the path travels as a buffer. */
export interface DeleteContainerRequest {
  readonly op: typeof OpCode.deleteContainer;
  readonly path: string;
}

/** exists, getData, getChildren, getChildren2 (ops 3, 4, 8, 12). */
export interface PathWatchRequest {
  readonly op:
    | typeof OpCode.exists
    | typeof OpCode.getData
    | typeof OpCode.getChildren
    | typeof OpCode.getChildren2;
  readonly path: string;
  readonly watch: boolean;
}

/** setData (op 5). */
export interface SetDataRequest {
  readonly op: typeof OpCode.setData;
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly version: number;
}

/** getACL, sync, getAllChildrenNumber (ops 6, 9, 104): a path only. */
export interface PathRequest {
  readonly op: typeof OpCode.getACL | typeof OpCode.sync | typeof OpCode.getAllChildrenNumber;
  readonly path: string;
}

/** setACL (op 7); version is compared with aversion. */
export interface SetAclRequest {
  readonly op: typeof OpCode.setACL;
  readonly path: string;
  readonly acl: readonly Acl[];
  readonly version: number;
}

/** check (op 13). */
export interface CheckVersionRequest {
  readonly op: typeof OpCode.check;
  readonly path: string;
  readonly version: number;
}

/** A sub-operation of a write multi (op 14) or of a multiRead (op 22). */
export type MultiOp =
  | CreateRequest
  | CreateTtlRequest
  | DeleteRequest
  | SetDataRequest
  | CheckVersionRequest
  | (PathWatchRequest & { readonly op: typeof OpCode.getData | typeof OpCode.getChildren });

/** multi and multiRead (ops 14, 22). */
export interface MultiRequest {
  readonly op: typeof OpCode.multi | typeof OpCode.multiRead;
  readonly ops: readonly MultiOp[];
}

/** reconfig (op 16). */
export interface ReconfigRequest {
  readonly op: typeof OpCode.reconfig;
  readonly joiningServers: string | null;
  readonly leavingServers: string | null;
  readonly newMembers: string | null;
  readonly curConfigId: bigint;
}

/** checkWatches, removeWatches (ops 17, 18); `type` is a WatcherType. */
export interface WatchTypeRequest {
  readonly op: typeof OpCode.checkWatches | typeof OpCode.removeWatches;
  readonly path: string;
  readonly type: number;
}

/** addWatch (op 106); `mode` is an AddWatchMode. */
export interface AddWatchRequest {
  readonly op: typeof OpCode.addWatch;
  readonly path: string;
  readonly mode: number;
}

/** auth (op 100). */
export interface AuthRequest {
  readonly op: typeof OpCode.auth;
  readonly type: number;
  readonly scheme: string;
  readonly auth: Uint8Array | null;
}

/** setWatches (op 101) and setWatches2 (op 105; the last two lists are empty for op 101). */
export interface SetWatchesRequest {
  readonly op: typeof OpCode.setWatches | typeof OpCode.setWatches2;
  readonly relativeZxid: bigint;
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

/** sasl (op 102). */
export interface SaslRequest {
  readonly op: typeof OpCode.sasl;
  readonly token: Uint8Array | null;
}

/** getEphemerals (op 103). */
export interface GetEphemeralsRequest {
  readonly op: typeof OpCode.getEphemerals;
  readonly prefixPath: string | null;
}

/** ping, closeSession, whoAmI (ops 11, -11, 107): no body. */
export interface EmptyRequest {
  readonly op: typeof OpCode.ping | typeof OpCode.closeSession | typeof OpCode.whoAmI;
}

/** Every request a client may send after connecting. */
export type Request =
  | CreateRequest
  | CreateTtlRequest
  | DeleteRequest
  | DeleteContainerRequest
  | PathWatchRequest
  | SetDataRequest
  | PathRequest
  | SetAclRequest
  | CheckVersionRequest
  | MultiRequest
  | ReconfigRequest
  | WatchTypeRequest
  | AddWatchRequest
  | AuthRequest
  | SetWatchesRequest
  | SaslRequest
  | GetEphemeralsRequest
  | EmptyRequest;

// ---------------------------------------------------------------------------------------------
// Responses: a union keyed by `kind` (the record that follows a ReplyHeader with err 0).

/** The result of one sub-operation of a multi or multiRead (reference §5.5). */
export type MultiResult =
  | { readonly kind: 'error'; readonly err: number }
  | { readonly kind: 'create'; readonly path: string }
  | { readonly kind: 'create2'; readonly path: string; readonly stat: Stat }
  | { readonly kind: 'delete' }
  | { readonly kind: 'setData'; readonly stat: Stat }
  | { readonly kind: 'check' }
  | { readonly kind: 'getChildren'; readonly children: readonly string[] }
  | { readonly kind: 'getData'; readonly data: Uint8Array | null; readonly stat: Stat };

/** Every response record (the body after a ReplyHeader with err 0). */
export type Response =
  | { readonly kind: 'empty' }
  | { readonly kind: 'create'; readonly path: string }
  | { readonly kind: 'create2'; readonly path: string; readonly stat: Stat }
  | { readonly kind: 'stat'; readonly stat: Stat }
  | { readonly kind: 'getData'; readonly data: Uint8Array | null; readonly stat: Stat }
  | { readonly kind: 'getACL'; readonly acl: readonly Acl[]; readonly stat: Stat }
  | { readonly kind: 'getChildren'; readonly children: readonly string[] }
  | { readonly kind: 'getChildren2'; readonly children: readonly string[]; readonly stat: Stat }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'multi'; readonly results: readonly MultiResult[] }
  | { readonly kind: 'errorResponse'; readonly err: number }
  | { readonly kind: 'ephemerals'; readonly ephemerals: readonly string[] }
  | { readonly kind: 'allChildrenNumber'; readonly totalNumber: number }
  | { readonly kind: 'whoAmI'; readonly clientInfo: readonly ClientInfo[] }
  | { readonly kind: 'sasl'; readonly token: Uint8Array | null };
