/**
 * The base of the commands that talk to a server (ls, get, set, ..., push, shell): quieter logs
 * by default (warn, so that stderr carries only what the user must see), a connected client for
 * the duration of the command, and a way to wait for Ctrl-C in the streaming commands.
 */
import { Flags, type Command } from '@oclif/core';
import type { ZkClient } from '../client/index.js';
import { BaseCommand } from './base-command.js';
import { type ConnectionOptions, withClient } from './connect.js';
import { InterruptedError } from './exit-codes.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A command that connects to a server; its flags must include the connection flags. */
export abstract class DataCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    'log-level': Flags.option({
      options: logLevels,
      default: 'warn' as const,
      env: 'CORRAL_LOG',
      helpGroup: 'GLOBAL',
      summary: 'Lowest level of log lines written to stderr.',
    })(),
  };

  /** The connection flags of this command (declared by spreading `connectionFlags`). */
  protected connection(): ConnectionOptions {
    // The flags' static type does not know that every data command spreads connectionFlags.
    const flags: Readonly<Record<string, unknown>> = this.flags;
    const server = flags['server'];
    const auth = flags['auth'];
    const timeoutMs = flags['connect-timeout-ms'];
    return {
      server: typeof server === 'string' ? server : undefined,
      auth: typeof auth === 'string' ? auth : undefined,
      'connect-timeout-ms': typeof timeoutMs === 'number' ? timeoutMs : 10_000,
    };
  }

  /** Runs `work` with a connected client, closing the session afterwards. */
  protected withClient<R>(work: (client: ZkClient) => Promise<R>): Promise<R> {
    return withClient(this.connection(), this.logger, work);
  }

  /** Writes one line to stdout, also under --json (for streams of JSON lines). */
  protected printLine(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  /** Writes one line to stderr, also under --json (progress and notices, never results). */
  protected note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /**
   * Resolves with an InterruptedError when SIGINT or SIGTERM arrives, for commands that run
   * until the user stops them; `dispose` removes the handlers.
   */
  protected interruption(): { readonly interrupted: Promise<InterruptedError>; dispose(): void } {
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    const interrupted = new Promise<InterruptedError>((resolve) => {
      onSignal = (signal) => resolve(new InterruptedError(`interrupted by ${signal}`));
    });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return {
      interrupted,
      dispose: () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      },
    };
  }
}
