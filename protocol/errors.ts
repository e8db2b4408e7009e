/** KeeperException codes with ZooKeeper's numeric values (reference §6.1). */
export const ErrorCode = {
  Ok: 0,
  SystemError: -1,
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  UnknownSession: -12,
  NewConfigNoQuorum: -13,
  ReconfigInProgress: -14,
  ApiError: -100,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidAcl: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
  RequestTimeout: -122,
  ReconfigDisabled: -123,
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  ThrottledOp: -127,
} as const;

/** One of the error code values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const names: ReadonlyMap<number, string> = new Map(
  Object.entries(ErrorCode).map(([name, code]) => [code, name]),
);

/** ZooKeeper's upper-case code names, as KeeperException.Code prints them. */
const upperNames: Readonly<Record<string, string>> = {
  Ok: 'OK',
  InvalidAcl: 'INVALIDACL',
  NoChildrenForEphemerals: 'NOCHILDRENFOREPHEMERALS',
};

/** The name of an error code (`NoNode`), or `Unknown(<n>)`. */
export function errorCodeName(code: number): string {
  return names.get(code) ?? `Unknown(${code})`;
}

/** ZooKeeper's upper-case name of an error code (`NONODE`), as KeeperException prints it. */
export function errorCodeUpperName(code: number): string {
  const name = names.get(code);
  if (name === undefined) return `UNKNOWN(${code})`;
  return upperNames[name] ?? name.toUpperCase();
}

/** Readable message text for each code, after KeeperException.getCodeMessage. */
const messages: Readonly<Record<number, string>> = {
  [ErrorCode.Ok]: 'ok',
  [ErrorCode.SystemError]: 'SystemError',
  [ErrorCode.RuntimeInconsistency]: 'RuntimeInconsistency',
  [ErrorCode.DataInconsistency]: 'DataInconsistency',
  [ErrorCode.ConnectionLoss]: 'ConnectionLoss',
  [ErrorCode.MarshallingError]: 'MarshallingError',
  [ErrorCode.Unimplemented]: 'Unimplemented',
  [ErrorCode.OperationTimeout]: 'OperationTimeout',
  [ErrorCode.BadArguments]: 'BadArguments',
  [ErrorCode.UnknownSession]: 'Unknown session',
  [ErrorCode.NewConfigNoQuorum]: 'New config has no quorum',
  [ErrorCode.ReconfigInProgress]: 'Another reconfiguration is in progress',
  [ErrorCode.ApiError]: 'APIError',
  [ErrorCode.NoNode]: 'NoNode',
  [ErrorCode.NoAuth]: 'NoAuth',
  [ErrorCode.BadVersion]: 'BadVersion',
  [ErrorCode.NoChildrenForEphemerals]: 'NoChildrenForEphemerals',
  [ErrorCode.NodeExists]: 'NodeExists',
  [ErrorCode.NotEmpty]: 'Directory not empty',
  [ErrorCode.SessionExpired]: 'Session expired',
  [ErrorCode.InvalidCallback]: 'Invalid callback',
  [ErrorCode.InvalidAcl]: 'InvalidACL',
  [ErrorCode.AuthFailed]: 'AuthFailed',
  [ErrorCode.SessionMoved]: 'Session moved',
  [ErrorCode.NotReadOnly]: 'Not a read-only call',
  [ErrorCode.EphemeralOnLocalSession]: 'Ephemeral node on local session',
  [ErrorCode.NoWatcher]: 'No such watcher',
  [ErrorCode.RequestTimeout]: 'Request timeout',
  [ErrorCode.ReconfigDisabled]: 'Reconfig is disabled',
  [ErrorCode.SessionClosedRequireSaslAuth]: 'Session closed because client failed to authenticate',
  [ErrorCode.QuotaExceeded]: 'Quota has exceeded',
  [ErrorCode.ThrottledOp]: 'Op throttled due to high load',
};

/** A ZooKeeper outcome raised at an API edge: branch on `code`, never on the message. */
export class ZkError extends Error {
  override name = 'ZkError';

  constructor(
    readonly code: number,
    readonly path: string | undefined,
    message?: string,
  ) {
    super(
      message ??
        `KeeperErrorCode = ${messages[code] ?? errorCodeName(code)}${path === undefined ? '' : ` for ${path}`}`,
    );
  }
}

/** Raised for NoNode. */
export class NoNodeError extends ZkError {
  override name = 'NoNodeError';
}
/** Raised for NodeExists. */
export class NodeExistsError extends ZkError {
  override name = 'NodeExistsError';
}
/** Raised for BadVersion. */
export class BadVersionError extends ZkError {
  override name = 'BadVersionError';
}
/** Raised for NotEmpty. */
export class NotEmptyError extends ZkError {
  override name = 'NotEmptyError';
}
/** Raised for NoAuth. */
export class NoAuthError extends ZkError {
  override name = 'NoAuthError';
}
/** Raised for SessionExpired. */
export class SessionExpiredError extends ZkError {
  override name = 'SessionExpiredError';
}
/** Raised for ConnectionLoss (client-local). */
export class ConnectionLossError extends ZkError {
  override name = 'ConnectionLossError';
}
/** Raised for BadArguments. */
export class BadArgumentsError extends ZkError {
  override name = 'BadArgumentsError';
}
/** Raised for InvalidAcl. */
export class InvalidAclError extends ZkError {
  override name = 'InvalidAclError';
}
/** Raised for NoChildrenForEphemerals. */
export class NoChildrenForEphemeralsError extends ZkError {
  override name = 'NoChildrenForEphemeralsError';
}
/** Raised for AuthFailed. */
export class AuthFailedError extends ZkError {
  override name = 'AuthFailedError';
}
/** Raised for NoWatcher. */
export class NoWatcherError extends ZkError {
  override name = 'NoWatcherError';
}
/** Raised for Unimplemented. */
export class UnimplementedError extends ZkError {
  override name = 'UnimplementedError';
}
/** Raised for MarshallingError. */
export class MarshallingError extends ZkError {
  override name = 'MarshallingError';
}
/** Raised for OperationTimeout (client-local). */
export class OperationTimeoutError extends ZkError {
  override name = 'OperationTimeoutError';
}

const subclasses: ReadonlyMap<number, new (code: number, path: string | undefined) => ZkError> = new Map<
  number,
  new (code: number, path: string | undefined) => ZkError
>([
  [ErrorCode.NoNode, NoNodeError],
  [ErrorCode.NodeExists, NodeExistsError],
  [ErrorCode.BadVersion, BadVersionError],
  [ErrorCode.NotEmpty, NotEmptyError],
  [ErrorCode.NoAuth, NoAuthError],
  [ErrorCode.SessionExpired, SessionExpiredError],
  [ErrorCode.ConnectionLoss, ConnectionLossError],
  [ErrorCode.BadArguments, BadArgumentsError],
  [ErrorCode.InvalidAcl, InvalidAclError],
  [ErrorCode.NoChildrenForEphemerals, NoChildrenForEphemeralsError],
  [ErrorCode.AuthFailed, AuthFailedError],
  [ErrorCode.NoWatcher, NoWatcherError],
  [ErrorCode.Unimplemented, UnimplementedError],
  [ErrorCode.MarshallingError, MarshallingError],
  [ErrorCode.OperationTimeout, OperationTimeoutError],
]);

/** The ZkError subclass for a code (the base class for codes without one). */
export function zkErrorFromCode(code: number, path?: string): ZkError {
  const Subclass = subclasses.get(code);
  return Subclass ? new Subclass(code, path) : new ZkError(code, path);
}

/** Bad input from outside (a malformed or oversized frame): closes that one connection. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}
