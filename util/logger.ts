import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

/** The structured logger every component takes through its constructor (STYLE.md §7). */
export type Logger = PinoLogger;

/** A logger that writes nothing; the default for pure cores and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Options for the root logger. */
export interface RootLoggerOptions {
  readonly level: string;
  readonly format: 'json' | 'pretty';
}

/** Makes the root logger: JSON to stderr, synchronously, so lines before a crash survive. */
export function rootLogger(options: RootLoggerOptions): Logger {
  if (options.format === 'pretty') {
    // In this thread, not as a pino transport: once stderr's reader is gone the transport's
    // worker dies of EPIPE, and every later synchronous log write then waits for it forever
    // (a process that never exits on SIGTERM). pino-pretty's own stream drops writes on EPIPE.
    return pino({ level: options.level }, pretty({ destination: 2, sync: true }));
  }
  return pino({ level: options.level }, pino.destination({ dest: 2, sync: true }));
}
