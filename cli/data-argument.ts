/**
 * Where `set` and `create` take node data from: the argument (UTF-8), `--file PATH`, or `-` for
 * stdin, so that binary data can be stored without shell quoting.
 */
import { Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { UsageError } from './exit-codes.js';

/** The `--file` flag of the commands that write node data. */
export const dataFileFlag = {
  file: Flags.string({ char: 'f', summary: 'Read the data from this file (use - for stdin) instead of the argument.' }),
};

/** The data to write, or null when neither the argument nor --file gives any and it is optional. */
export async function readDataArgument(
  argument: string | undefined,
  file: string | undefined,
  options: { readonly isRequired: boolean },
): Promise<Uint8Array | null> {
  if (argument !== undefined && file !== undefined) throw new UsageError('give the data either as an argument or with --file, not both');
  if (file === '-' || argument === '-') return readStdin();
  if (file !== undefined) return new Uint8Array(await readFile(file));
  if (argument !== undefined) return new TextEncoder().encode(argument);
  if (options.isRequired) throw new UsageError('missing data: give it as an argument, with --file PATH, or as - for stdin');
  return null;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return new Uint8Array(Buffer.concat(chunks));
}
