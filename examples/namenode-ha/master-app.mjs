#!/usr/bin/env node
// A stand-in for one master of an active/passive pair (think HDFS NameNode): an HTTP server that
// reports and changes its role. It starts in standby. Usage: node master-app.mjs <port> [name]
//   GET  /state               -> {"name","role","token","fenced","pid"}
//   GET  /health              -> 200 while healthy, 503 after POST /health/fail
//   POST /active?token=N      -> go active with fencing token N (refused if N is older than one seen)
//   POST /standby             -> go standby
//   POST /fence               -> go standby and remember being fenced
//   POST /health/fail|ok      -> make /health fail or pass
// SIGUSR1 goes active (without a token), SIGUSR2 goes standby.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const name = process.argv[3] ?? `master-${process.pid}`;
const state = { name, role: 'standby', token: null, fenced: false, pid: process.pid };
let healthy = true;
let highestToken = -1n;

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/state') return reply(res, 200, state);
  if (req.method === 'GET' && url.pathname === '/health') return reply(res, healthy ? 200 : 503, { healthy });
  if (req.method !== 'POST') return reply(res, 404, { error: 'not found' });
  switch (url.pathname) {
    case '/active': {
      const token = url.searchParams.get('token');
      if (token !== null && BigInt(token) < highestToken) return reply(res, 409, { error: 'stale fencing token' });
      if (token !== null) highestToken = BigInt(token);
      Object.assign(state, { role: 'active', token, fenced: false });
      return reply(res, 200, state);
    }
    case '/standby':
      state.role = 'standby';
      return reply(res, 200, state);
    case '/fence':
      Object.assign(state, { role: 'standby', fenced: true });
      return reply(res, 200, state);
    case '/health/fail':
      healthy = false;
      return reply(res, 200, { healthy });
    case '/health/ok':
      healthy = true;
      return reply(res, 200, { healthy });
    default:
      return reply(res, 404, { error: 'not found' });
  }
});

process.on('SIGUSR1', () => Object.assign(state, { role: 'active', fenced: false }));
process.on('SIGUSR2', () => (state.role = 'standby'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(port, '127.0.0.1', () => {
  console.log(`master ${name} listening on 127.0.0.1:${server.address().port}`);
});
