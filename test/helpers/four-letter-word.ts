import { connect } from 'node:net';

/**
 * Sends a four-letter word (`ruok`, `srvr`, `mntr`, ...) on a fresh connection and returns the
 * whole text the server writes before it closes the connection (reference §9.1).
 */
export async function fourLetterWord(
  host: string,
  port: number,
  cmd: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port }, () => socket.write(cmd));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new Error(`four-letter word ${cmd}: no close within ${timeoutMs} ms`));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
