/**
 * A TCP proxy in front of the test server that a test can cut: every open connection is dropped
 * and new ones are refused until restore(). Cutting a client off for longer than its session
 * timeout makes the server expire the session while the client still lives, so the client sees
 * a real expiry when it reconnects. Test-only; close() releases every socket.
 */
import { type Server, type Socket, createConnection, createServer } from 'node:net';

/** A cuttable TCP proxy to 127.0.0.1:`targetPort`, listening on an OS-chosen port. */
export class CuttableProxy {
  readonly #server: Server;
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  #isCut = false;
  #port = 0;

  private constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#server = createServer((socket) => this.#onConnection(socket));
  }

  /** Starts a proxy to `targetPort`. */
  static async start(targetPort: number): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = proxy.#server.address();
    proxy.#port = typeof address === 'object' && address !== null ? address.port : 0;
    return proxy;
  }

  /** `127.0.0.1:<port>` of the proxy. */
  get connectString(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.#isCut = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Accepts connections again. */
  restore(): void {
    this.#isCut = false;
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onConnection(client: Socket): void {
    if (this.#isCut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.#targetPort });
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
