import type { CheckResult, Probe } from './probe.js';

/** Inputs of {@link httpProbe}. */
export interface HttpCheckOptions {
  /** The URL to request. */
  readonly url: string;
  /** Method (default GET). */
  readonly method?: 'GET' | 'HEAD' | 'POST';
  /** The status that passes; by default any 2xx. */
  readonly expectStatus?: number;
  /** Fail when no full answer comes within this long. */
  readonly timeoutMs: number;
}

/** How much of a response body goes into the check's output. */
const maxBodyBytes = 512;

async function readSnippet(body: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    text += chunk.toString('utf8');
    if (text.length >= maxBodyBytes) break;
  }
  return text.slice(0, maxBodyBytes).trim();
}

/** An HTTP check: passes on the expected status (default 2xx) within the timeout. */
export function httpProbe(options: HttpCheckOptions): Probe {
  return async (): Promise<CheckResult> => {
    try {
      // undici (~10 MB of RSS) loads with the first HTTP check, not with every agent.
      const { request } = await import('undici');
      const response = await request(options.url, {
        method: options.method ?? 'GET',
        signal: AbortSignal.timeout(options.timeoutMs),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        // No keep-alive: a check should see a fresh connection, and leave no pooled socket behind.
        reset: true,
      });
      const snippet = await readSnippet(response.body);
      const status = response.statusCode;
      const ok = options.expectStatus === undefined ? status >= 200 && status < 300 : status === options.expectStatus;
      return { ok, output: `HTTP ${status}${snippet === '' ? '' : `: ${snippet}`}` };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      if (timedOut) return { ok: false, output: `timed out after ${options.timeoutMs} ms` };
      return { ok: false, output: err instanceof Error ? err.message : String(err) };
    }
  };
}
