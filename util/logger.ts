import { pino, type Logger as PinoLogger } from 'pino';

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
    return pino({
      level: options.level,
      transport: { target: 'pino-pretty', options: { destination: 2, sync: true } },
    });
  }
  return pino({ level: options.level }, pino.destination({ dest: 2, sync: true }));
}
