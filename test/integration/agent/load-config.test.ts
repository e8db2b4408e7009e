import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadAgentConfig } from '../../../agent/config/index.js';
import { type TempDir, tempDir } from '../../helpers/index.js';

let dir: TempDir;

beforeEach(async () => {
  dir = await tempDir('corral-agent-config-');
});

afterEach(async () => {
  await dir.cleanup();
});

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAgentConfig', () => {
  it('reads the file, merges services.d in name order, and resolves template paths', async () => {
    const file = join(dir.path, 'agent.yaml');
    await writeFile(join(dir.path, 'app.hbs'), '{{key "/a"}}');
    await writeFile(file, 'server: zk1:2181\nservices:\n  - { name: main, address: h, port: 1 }\ntemplates:\n  - { source: app.hbs, destination: out.conf }\n');
    await mkdir(join(dir.path, 'services.d'));
    await writeFile(join(dir.path, 'services.d', 'b.yaml'), 'name: b\naddress: h\nport: 3\n');
    await writeFile(join(dir.path, 'services.d', 'a.yml'), 'name: a\naddress: h\nport: 2\n');
    await writeFile(join(dir.path, 'services.d', 'notes.txt'), 'ignored');
    const config = await loadAgentConfig({ file, overrides: { sessionTimeoutMs: 10_000 } });
    expect(config.services.map((s) => s.name)).toEqual(['main', 'a', 'b']);
    expect(config.templates[0]?.source).toBe(join(dir.path, 'app.hbs'));
    expect(config.templates[0]?.destination).toBe(join(dir.path, 'out.conf'));
    expect(config.sessionTimeoutMs).toBe(10_000);
  });

  it('a bad services.d file refuses naming that file', async () => {
    const file = join(dir.path, 'agent.yaml');
    await writeFile(file, '');
    await mkdir(join(dir.path, 'services.d'));
    await writeFile(join(dir.path, 'services.d', 'web.yaml'), 'name: web\naddress: h\nport: "eighty"\n');
    const err = await failure(loadAgentConfig({ file }));
    expect(err.message).toMatch(/^web\.yaml: port: /);
  });

  it('a template source that cannot be read refuses at load', async () => {
    const file = join(dir.path, 'agent.yaml');
    await writeFile(file, 'templates:\n  - { source: missing.hbs, destination: out }\n');
    const err = await failure(loadAgentConfig({ file }));
    expect(err.key).toBe('templates[0].source');
    expect(err.reason).toContain('ENOENT');
  });

  it('a missing config file refuses naming it', async () => {
    const err = await failure(loadAgentConfig({ file: join(dir.path, 'nope.yaml') }));
    expect(err.message).toContain('nope.yaml');
    expect(err.reason).toContain('ENOENT');
  });
});
