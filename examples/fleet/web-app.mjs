#!/usr/bin/env node
// A small web app for the fleet demo and the agent's end-to-end tests.
// Usage: node web-app.mjs <port> [name]   (port 0: the OS chooses; the first stdout line names it)
//   GET /        -> "hello from <name>" plus the config file's content (CONFIG_FILE) and GREETING
//   GET /health  -> 200
//   GET /info    -> {"name","pid","starts","reloads","greeting","config"} as JSON
// SIGHUP re-reads CONFIG_FILE (counted in "reloads"); SIGTERM exits 0.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const name = process.argv[3] ?? process.env.APP_NAME ?? `web-${process.pid}`;
let reloads = 0;
let config = readConfig();

function readConfig() {
  const file = process.env.CONFIG_FILE;
  if (file === undefined || file === '') return null;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const server = createServer((req, res) => {
  const info = { name, pid: process.pid, reloads, greeting: process.env.GREETING ?? null, config };
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  } else if (req.url === '/info') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(info));
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello from ${name}${info.greeting === null ? '' : ` (${info.greeting})`}\n`);
  }
});

process.on('SIGHUP', () => {
  config = readConfig();
  reloads++;
  console.log(`web ${name} reloaded its config (${reloads})`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(port, '127.0.0.1', () => {
  console.log(`web ${name} listening on 127.0.0.1:${server.address().port}`);
});
