import { describe, expect, it } from 'vitest';
import { ConfigError, parseAgentConfig, parseYamlDocument } from '../../../agent/config/index.js';

const file = '/etc/corral/agent.yaml';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function parse(yaml: string, overrides?: Record<string, unknown>) {
  return parseAgentConfig(parseYamlDocument(yaml, file), { file, ...(overrides ? { overrides } : {}) });
}

describe('agent config', () => {
  it('an empty file gives the defaults, frozen', () => {
    const config = parse('');
    expect(config.server).toBe('127.0.0.1:2181');
    expect(config.sessionTimeoutMs).toBe(30_000);
    expect(config.services).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('a template without destination refuses with file, key path and "required"', () => {
    const err = errorOf(() => parse('templates:\n  - contents: "x"\n'));
    expect(err.message).toBe('agent.yaml: templates[0].destination: required');
    expect(err.key).toBe('templates[0].destination');
    expect(err.reason).toBe('required');
  });

  it('an unknown key refuses (a typo never passes silently)', () => {
    const err = errorOf(() => parse('templates:\n  - contents: x\n    destinaton: /tmp/a\n    destination: /tmp/b\n'));
    expect(err.key).toBe('templates[0].destinaton');
    expect(err.reason).toBe('unknown key');
  });

  it('a template needs exactly one of source, contents, env', () => {
    const err = errorOf(() => parse('templates:\n  - destination: /tmp/a\n'));
    expect(err.key).toBe('templates[0]');
    expect(err.reason).toContain('exactly one of source, contents, env');
  });

  it('a check with two kinds refuses naming the check', () => {
    const yaml = `services:
  - name: web
    address: 10.0.0.1
    port: 80
    checks:
      - http: { url: "http://127.0.0.1/health" }
        tcp: { port: 80 }
`;
    const err = errorOf(() => parse(yaml));
    expect(err.key).toBe('services[0].checks[0]');
  });

  it('normalizes services: default id, check kinds with defaults, thresholds', () => {
    const yaml = `services:
  - name: web
    address: 10.0.0.1
    port: 8080
    checks:
      - http: { url: "http://127.0.0.1:8080/health" }
      - name: alive
        command: { argv: "test -f /tmp/ok" }
      - ttl: { ttlMs: 5000 }
`;
    const [service] = parse(yaml).services;
    expect(service?.id).toBe('web-10.0.0.1-8080');
    expect(service?.rise).toBe(2);
    expect(service?.fall).toBe(3);
    expect(service?.checks.map((c) => c.kind)).toEqual(['http', 'command', 'ttl']);
    const http = service?.checks[0];
    expect(http?.kind === 'http' && http.timeoutMs).toBe(5_000);
    const command = service?.checks[1];
    expect(command?.kind === 'command' && command.argv).toEqual(['/bin/sh', '-c', 'test -f /tmp/ok']);
    expect(command?.name).toBe('alive');
  });

  it('a port out of range names the key', () => {
    const err = errorOf(() => parse('services:\n  - { name: a, address: h, port: 70000 }\n'));
    expect(err.key).toBe('services[0].port');
  });

  it('relative template paths resolve against the config folder; mode is octal text', () => {
    const config = parse('templates:\n  - source: app.hbs\n    destination: out/app.conf\n    mode: "0640"\n');
    expect(config.templates[0]?.source).toBe('/etc/corral/app.hbs');
    expect(config.templates[0]?.destination).toBe('/etc/corral/out/app.conf');
    expect(config.templates[0]?.mode).toBe(0o640);
  });

  it('a numeric mode refuses (YAML 1.2 reads 0644 as decimal)', () => {
    const err = errorOf(() => parse('templates:\n  - contents: x\n    destination: /a\n    mode: 0644\n'));
    expect(err.key).toBe('templates[0].mode');
  });

  it('missing policy accepts a word or an object', () => {
    const config = parse(`templates:
  - { contents: a, destination: /a, missing: fail }
  - { contents: b, destination: /b, missing: { policy: wait, timeoutMs: 5000 } }
  - { contents: c, destination: /c }
`);
    expect(config.templates.map((t) => t.missing)).toEqual([
      { policy: 'fail', timeoutMs: null },
      { policy: 'wait', timeoutMs: 5000 },
      { policy: 'wait', timeoutMs: null },
    ]);
  });

  it('wait refuses minMs above maxMs', () => {
    const err = errorOf(() => parse('templates:\n  - { contents: a, destination: /a, wait: { minMs: 10, maxMs: 5 } }\n'));
    expect(err.key).toBe('templates[0].wait');
  });

  it('exec gets defaults: restart on reload, SIGTERM, backoff', () => {
    const config = parse('exec:\n  command: ["node", "app.js"]\n');
    expect(config.exec?.command).toEqual(['node', 'app.js']);
    expect(config.exec?.reloadSignal).toBeNull();
    expect(config.exec?.killSignal).toBe('SIGTERM');
    expect(config.exec?.backoff).toEqual({ minMs: 1000, maxMs: 60000, resetAfterMs: 60000 });
  });

  it('exec refuses an unknown signal', () => {
    const err = errorOf(() => parse('exec:\n  command: app\n  reloadSignal: SIGFOO\n'));
    expect(err.key).toBe('exec.reloadSignal');
  });

  it('overrides win over the file and their errors name the overrides', () => {
    const config = parse('server: "zk1:2181"\n', { server: 'zk9:2181', status: { port: 8500 } });
    expect(config.server).toBe('zk9:2181');
    expect(config.status).toEqual({ host: '127.0.0.1', port: 8500 });
    const err = errorOf(() => parse('', { sessionTimeoutMs: -1 }));
    expect(err.file).toBe('(overrides)');
    expect(err.key).toBe('sessionTimeoutMs');
  });

  it('failover passes through as an object', () => {
    expect(parse('failover:\n  anything: [1, 2]\n').failover).toEqual({ anything: [1, 2] });
  });

  it('services.d documents merge in; errors name their own file; duplicate ids refuse', () => {
    const base = parseYamlDocument('services:\n  - { name: a, address: h, port: 1 }\n', file);
    const config = parseAgentConfig(base, {
      file,
      extraServices: [{ file: '/etc/corral/services.d/b.yaml', value: { name: 'b', address: 'h', port: 2 } }],
    });
    expect(config.services.map((s) => s.name)).toEqual(['a', 'b']);
    const bad = errorOf(() =>
      parseAgentConfig(base, { file, extraServices: [{ file: '/x/services.d/c.yaml', value: { name: 'c', port: 3 } }] }),
    );
    expect(bad.message).toBe('c.yaml: address: required');
    const dup = errorOf(() =>
      parseAgentConfig(base, { file, extraServices: [{ file: '/x/services.d/d.yaml', value: { name: 'a', address: 'h', port: 1 } }] }),
    );
    expect(dup.message).toBe('d.yaml: id: duplicate service id "a-h-1"');
  });

  it('a YAML syntax error names the line', () => {
    const err = errorOf(() => parseYamlDocument('a: 1\nb: [\n', file));
    expect(err.key).toMatch(/^line \d+$/);
  });
});
