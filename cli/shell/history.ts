/**
 * The shell's history file (~/.corral_history, or $CORRAL_HISTORY): one command a line, oldest
 * first, kept to the last {@link maxHistoryLines} lines.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The most lines the history file keeps. */
export const maxHistoryLines = 1000;

/** Where the history lives: `$CORRAL_HISTORY`, else `~/.corral_history`. */
export function historyPath(): string {
  const fromEnv = process.env['CORRAL_HISTORY'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.corral_history');
}

/** The history lines, oldest first; a missing file is an empty history. */
export async function loadHistory(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-maxHistoryLines);
}

/** Appends one line, trimming the file back to the bound when it has grown past twice that. */
export async function appendHistory(path: string, line: string): Promise<void> {
  await appendFile(path, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  const lines = await loadHistoryRaw(path);
  if (lines.length > 2 * maxHistoryLines) await writeFile(path, `${lines.slice(-maxHistoryLines).join('\n')}\n`, { mode: 0o600 });
}

async function loadHistoryRaw(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}
