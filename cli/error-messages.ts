/**
 * Readable messages for ZooKeeper outcomes at the command line, worded after zkCli.sh
 * (`Node does not exist: /x`) plus what to do about them, so that users see advice rather
 * than `KeeperErrorCode = NoNode`. Pure.
 */
import { ErrorCode, ZkError, errorCodeName } from '../protocol/index.js';

const advice = 'Check that the server is running and that --server or ZOOKEEPER_CONNECT names it.';

/** The message the CLI prints for a ZkError (the command's own wording when it gave one). */
export function describeZkError(err: ZkError): string {
  // Messages made by the CLI itself (e.g. "Cannot connect to …") are already readable.
  if (!err.message.startsWith('KeeperErrorCode')) {
    return err.code === ErrorCode.BadArguments ? `Invalid argument for ${err.path ?? 'the request'}: ${err.message}` : err.message;
  }
  const where = err.path ?? '(unknown path)';
  const suffix = transactionSuffix(err.message);
  return `${baseMessage(err.code, where)}${suffix}`;
}

function baseMessage(code: number, where: string): string {
  switch (code) {
    case ErrorCode.NoNode:
      return `Node does not exist: ${where}`;
    case ErrorCode.NodeExists:
      return `Node already exists: ${where}`;
    case ErrorCode.NotEmpty:
      return `Node not empty: ${where} (use rm -r to delete it with its children)`;
    case ErrorCode.BadVersion:
      return `Version mismatch: ${where} was changed by someone else; read it again and retry`;
    case ErrorCode.NoAuth:
      return `Insufficient permission: ${where} (add credentials with --auth scheme:credentials)`;
    case ErrorCode.NoChildrenForEphemerals:
      return `Ephemeral nodes cannot have children: ${where}`;
    case ErrorCode.InvalidAcl:
      return `Invalid ACL: ${where}`;
    case ErrorCode.BadArguments:
      return `Invalid arguments: ${where}`;
    case ErrorCode.Unimplemented:
      return `Not supported by this server: ${where} (TTL nodes need extendedTypesEnabled=true)`;
    case ErrorCode.ConnectionLoss:
    case ErrorCode.OperationTimeout:
    case ErrorCode.RequestTimeout:
      return `Connection to the server lost during the request for ${where}. ${advice}`;
    case ErrorCode.SessionExpired:
      return `Session expired while working on ${where}; run the command again.`;
    default:
      return `ZooKeeper error ${errorCodeName(code)} (${code}) for ${where}`;
  }
}

function transactionSuffix(message: string): string {
  const match = /\(transaction op (\d+): (.*)\)$/.exec(message);
  return match === null ? '' : ` (transaction op ${match[1] ?? '?'}: ${match[2] ?? '?'}; no change of that transaction was applied)`;
}
