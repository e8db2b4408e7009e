import { connect } from 'node:net';
import type { CheckResult, Probe } from './probe.js';

/** Inputs of {@link tcpProbe}. */
export interface TcpCheckOptions {
  /** Host name or address. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Fail when the connection is not up within this long. */
  readonly timeoutMs: number;
}

/** A TCP check: passes when a connection opens within the timeout (it is closed at once). */
export function tcpProbe(options: TcpCheckOptions): Probe {
  const target = `${options.host}:${options.port}`;
  return () =>
    new Promise<CheckResult>((resolve) => {
      const socket = connect({ host: options.host, port: options.port });
      const finish = (result: CheckResult): void => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(options.timeoutMs, () => finish({ ok: false, output: `connect to ${target} timed out after ${options.timeoutMs} ms` }));
      socket.once('connect', () => finish({ ok: true, output: `connected to ${target}` }));
      socket.once('error', (err) => finish({ ok: false, output: `connect to ${target}: ${err.message}` }));
    });
}
