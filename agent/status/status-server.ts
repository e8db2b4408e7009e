import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../util/index.js';
import type { Registry } from 'prom-client';

/** What a maintenance request did. */
export type MaintenanceResult = { readonly ok: true; readonly services: readonly string[] } | { readonly ok: false; readonly error: string };

/** What a TTL check report did: the ids of the services whose check it updated. */
export type CheckReportResult =
  | { readonly ok: true; readonly services: readonly string[]; readonly check: string; readonly status: 'pass' | 'fail' }
  | { readonly ok: false; readonly error: string };

/** The longest note a TTL report may carry (the rest of the body is refused). */
const maxNoteBytes = 4096;

/** Inputs of a {@link StatusServer}. */
export interface StatusServerOptions {
  readonly host: string;
  /** 0 lets the OS choose. */
  readonly port: number;
  /** The JSON `/status` serves, built on each request. */
  readonly snapshot: () => unknown;
  /** The registry `/metrics` serves. */
  readonly metrics: Registry;
  /** Turns maintenance of a service (by id, or every instance of a name) on or off. */
  readonly setMaintenance: (service: string, on: boolean) => MaintenanceResult;
  /** The app reports a TTL check of a service (by id, or every instance of a name) as passing or failing. */
  readonly reportCheck: (service: string, check: string, ok: boolean, note: string) => CheckReportResult;
  readonly logger: Logger;
}

/**
 * The agent's local HTTP endpoint: `GET /status` (JSON), `GET /metrics` (Prometheus text), and
 * `POST /maintenance/<service>/on|off`, and `PUT|POST /check/<service>/<check>/pass|fail` (a TTL
 * check report, the way Consul's `PUT /v1/agent/check/pass/<id>` is: the note is the request
 * body as text, or the `note` query parameter). It listens on loopback by default and must never expose
 * anything else of the host.
 */
export class StatusServer {
  readonly #o: StatusServerOptions;
  readonly #server: Server;
  #address: AddressInfo | null = null;

  /** Prepares the server; `start()` binds it. */
  constructor(options: StatusServerOptions) {
    this.#o = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        options.logger.warn({ err }, 'status request failed');
        reply(res, 500, { error: 'internal error' });
      });
    });
  }

  /** The bound address, once started. */
  get address(): { readonly host: string; readonly port: number } | null {
    return this.#address === null ? null : { host: this.#address.address, port: this.#address.port };
  }

  /** Binds the port; rejects when it cannot (the agent then refuses to start). */
  async start(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.port, this.#o.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#address = this.#server.address() as AddressInfo;
    this.#o.logger.info({ host: this.#address.address, port: this.#address.port }, 'status endpoint listening');
    return { host: this.#address.address, port: this.#address.port };
  }

  /** Stops listening and closes idle connections. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/status') return reply(res, 200, this.#o.snapshot());
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = await this.#o.metrics.metrics();
      res.writeHead(200, { 'content-type': this.#o.metrics.contentType });
      res.end(text);
      return;
    }
    const maint = /^\/maintenance\/([^/]+)\/(on|off)$/.exec(url.pathname);
    if (req.method === 'POST' && maint !== null) {
      const result = this.#o.setMaintenance(decodeURIComponent(maint[1] ?? ''), maint[2] === 'on');
      return reply(res, result.ok ? 200 : 404, result);
    }
    const check = /^\/check\/([^/]+)\/([^/]+)\/(pass|fail)$/.exec(url.pathname);
    if ((req.method === 'PUT' || req.method === 'POST') && check !== null) {
      const body = await readBody(req, maxNoteBytes);
      if (body === null) return reply(res, 413, { ok: false, error: `the note is longer than ${maxNoteBytes} bytes` });
      const note = body.trim() !== '' ? body.trim() : (url.searchParams.get('note') ?? '');
      const result = this.#o.reportCheck(decodeURIComponent(check[1] ?? ''), decodeURIComponent(check[2] ?? ''), check[3] === 'pass', note);
      return reply(res, result.ok ? 200 : 404, result);
    }
    return reply(res, 404, { error: 'not found' });
  }
}

/** The request body as UTF-8 text, or null when it is longer than `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}
