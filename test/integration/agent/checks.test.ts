import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { commandProbe, httpProbe, tcpProbe } from '../../../agent/checks/index.js';

const servers: (HttpServer | TcpServer)[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in s) s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function listen<S extends HttpServer | TcpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('HTTP check', () => {
  it('passes on 2xx and fails on other statuses, unless the status is the expected one', async () => {
    const port = await listen(
      createHttpServer((req, res) => {
        res.statusCode = req.url === '/ok' ? 200 : 503;
        res.end(req.url === '/ok' ? 'healthy' : 'down');
      }),
    );
    const base = `http://127.0.0.1:${port}`;
    expect(await httpProbe({ url: `${base}/ok`, timeoutMs: 5000 })()).toEqual({ ok: true, output: 'HTTP 200: healthy' });
    expect(await httpProbe({ url: `${base}/bad`, timeoutMs: 5000 })()).toEqual({ ok: false, output: 'HTTP 503: down' });
    expect((await httpProbe({ url: `${base}/bad`, expectStatus: 503, timeoutMs: 5000 })()).ok).toBe(true);
    expect((await httpProbe({ url: `${base}/ok`, expectStatus: 204, timeoutMs: 5000 })()).ok).toBe(false);
  });

  it('fails when the server does not answer within the timeout', async () => {
    const port = await listen(createHttpServer(() => undefined));
    const result = await httpProbe({ url: `http://127.0.0.1:${port}/`, timeoutMs: 200 })();
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/timed out|timeout/i);
  });

  it('fails when nothing listens', async () => {
    const result = await httpProbe({ url: `http://127.0.0.1:${await closedPort()}/`, timeoutMs: 5000 })();
    expect(result.ok).toBe(false);
  });
});

describe('TCP check', () => {
  it('passes when a connection opens, fails when refused', async () => {
    const port = await listen(createTcpServer((socket) => socket.end()));
    expect((await tcpProbe({ host: '127.0.0.1', port, timeoutMs: 5000 })()).ok).toBe(true);
    const refused = await tcpProbe({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 5000 })();
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain('ECONNREFUSED');
  });
});

describe('command check', () => {
  it('passes on exit 0 and fails with the exit code and output otherwise', async () => {
    expect(await commandProbe({ argv: ['/bin/sh', '-c', 'echo fine'], timeoutMs: 10_000 })()).toEqual({ ok: true, output: 'exit 0: fine' });
    expect(await commandProbe({ argv: ['/bin/sh', '-c', 'echo broken >&2; exit 2'], timeoutMs: 10_000 })()).toEqual({
      ok: false,
      output: 'exit 2: broken',
    });
  });

  it('a command over its timeout fails and its whole process group is killed', async () => {
    // The probe resolves only on 'close', i.e. once no process of the group holds the output
    // pipe, so the background sleep must have been killed too.
    const result = await commandProbe({ argv: ['/bin/sh', '-c', 'sleep 30 & sleep 30'], timeoutMs: 300 })();
    expect(result).toEqual({ ok: false, output: 'timed out after 300 ms' });
  });

  it('a program that does not exist fails with the reason', async () => {
    const result = await commandProbe({ argv: ['/nonexistent/check'], timeoutMs: 10_000 })();
    expect(result.ok).toBe(false);
    expect(result.output).toContain('ENOENT');
  });
});
