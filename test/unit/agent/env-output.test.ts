import { parse as parseDotenv } from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../agent/config/index.js';
import {
  buildExecEnv,
  EnvFileRenderer,
  formatDotenv,
  mangleEnvName,
  mapTreeToEnv,
  quoteDotenvValue,
  rendererFromConfig,
  StaticDataSource,
} from '../../../agent/render/index.js';

describe('envconsul-style env mapping', () => {
  it('mangles names: uppercase, non-alphanumerics become _', () => {
    expect(mangleEnvName('db/host-name')).toBe('DB_HOST_NAME');
    expect(mangleEnvName('a.b c', { namePrefix: 'app_' })).toBe('APP_A_B_C');
    expect(mangleEnvName('Mixed/Case', { upcase: false, sanitize: true })).toBe('Mixed_Case');
    expect(mangleEnvName('keep/slash', { upcase: false, sanitize: false })).toBe('keep/slash');
  });

  it('maps a subtree to variables; on a name collision the later key wins', () => {
    const env = mapTreeToEnv([
      { key: 'db/port', value: '5432' },
      { key: 'db-port', value: 'first' },
      { key: 'db/host', value: 'h' },
    ]);
    expect(env).toEqual({ DB_HOST: 'h', DB_PORT: '5432' });
  });
});

describe('dotenv output', () => {
  it('quotes only when needed and sorts by name', () => {
    expect(formatDotenv({ B: 'x y', A: 'plain', C: '' })).toBe("A=plain\nB='x y'\nC=\n");
    expect(quoteDotenvValue("it's")).toBe('"it\'s"');
    expect(quoteDotenvValue('it\'s "q"')).toBe('`it\'s "q"`');
    expect(quoteDotenvValue('C:\\dir\\')).toBe('C:\\dir\\');
    expect(quoteDotenvValue('a\nb')).toBe('"a\\nb"');
  });

  it('refuses a name dotenv cannot read', () => {
    expect(() => formatDotenv({ 'A B': 'x' })).toThrow(RangeError);
  });

  it('the dotenv package reads back every value written', () => {
    const value = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '#', "'", '"', '\n', '\\', '$', '=', '-', '`'), maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/), value, { maxKeys: 5 }), (vars) => {
        let text: string;
        try {
          text = formatDotenv(vars);
        } catch (err) {
          // Only values with newlines and every kind of quote are refused.
          expect(err).toBeInstanceOf(RangeError);
          return;
        }
        expect(parseDotenv(text)).toEqual(vars);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('EnvFileRenderer waits for the subtree, then renders a dotenv file', () => {
    const r = new EnvFileRenderer({ name: 'templates[0]', prefix: '/config/app' });
    const missing = r.render(new StaticDataSource({}));
    expect(missing.kind).toBe('missing');
    const source = new StaticDataSource({ trees: { '/config/app': [{ key: 'db/url', value: 'postgres://h/db' }] } });
    const outcome = r.render(source);
    expect(outcome.kind === 'rendered' && outcome.output).toBe('DB_URL=postgres://h/db\n');
    expect(r.render(source).kind).toBe('unchanged');
  });
});

describe('exec env and renderers from config', () => {
  it('buildExecEnv layers base < subtree < custom, and pristine drops the base', () => {
    const fromTree = { DB_URL: 'tree', PATH: '/tree/bin' };
    expect(buildExecEnv({ base: { PATH: '/bin', HOME: '/root', GONE: undefined }, pristine: false, fromTree, custom: { DB_URL: 'custom' } })).toEqual({
      PATH: '/tree/bin',
      HOME: '/root',
      DB_URL: 'custom',
    });
    expect(buildExecEnv({ base: { HOME: '/root' }, pristine: true, fromTree, custom: {} })).toEqual(fromTree);
  });

  it('rendererFromConfig picks the env renderer or a template with vars as context', () => {
    const config = parseAgentConfig(
      {
        templates: [
          { contents: '{{#each (tree prefix)}}{{key}};{{/each}}', destination: '/a', vars: { prefix: '/p' } },
          { env: { prefix: '/p' }, destination: '/b.env' },
        ],
      },
      { file: '/etc/agent.yaml' },
    );
    const source = new StaticDataSource({ trees: { '/p': [{ key: 'x', value: '1' }] } });
    const [first, second] = config.templates.map((t, i) => rendererFromConfig(t, { name: `templates[${i}]` }));
    const a = first?.render(source);
    const b = second?.render(source);
    expect(a?.kind === 'rendered' && a.output).toBe('x;');
    expect(b?.kind === 'rendered' && b.output).toBe('X=1\n');
  });
});
