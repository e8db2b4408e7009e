import { describe, expect, it } from 'vitest';
import {
  ManualScheduler,
  type RenderOutcome,
  RenderError,
  StaticDataSource,
  TemplateRenderer,
} from '../../../agent/render/index.js';

function rendered(outcome: RenderOutcome): string {
  if (outcome.kind !== 'rendered' && outcome.kind !== 'unchanged') {
    throw new Error(`expected output, got ${outcome.kind}: ${'error' in outcome ? outcome.error.message : ''}`);
  }
  return outcome.output;
}

const data = new StaticDataSource({
  keys: { '/app/port': '8080', '/app/name': 'web', '/gone': null, '/json': '{"a":[1,2]}' },
  trees: {
    '/config': [
      { key: 'db/host', value: 'db1' },
      { key: 'b', value: '2' },
      { key: 'a', value: '1' },
    ],
  },
  services: {
    web: [
      { id: 'w2', name: 'web', address: '10.0.0.2', port: 81, payload: null },
      { id: 'w1', name: 'web', address: '10.0.0.1', port: 80, payload: { zone: 'a' } },
    ],
  },
});

describe('TemplateRenderer helpers', () => {
  it('key reads a znode and records it as a dependency', () => {
    const r = new TemplateRenderer({ name: 't', text: 'port={{key "/app/port"}}' });
    const outcome = r.render(data);
    expect(rendered(outcome)).toBe('port=8080');
    expect(outcome.dependencies).toEqual([{ kind: 'key', path: '/app/port' }]);
  });

  it('key with a default and keyOrDefault fall back only for absent znodes', () => {
    const r = new TemplateRenderer({ name: 't', text: '{{key "/gone" "d1"}} {{keyOrDefault "/gone" "d2"}} {{keyOrDefault "/app/name" "x"}}' });
    expect(rendered(r.render(data))).toBe('d1 d2 web');
  });

  it('tree iterates all descendants in key order; ls only direct children', () => {
    const tree = new TemplateRenderer({ name: 't', text: '{{#each (tree "/config")}}{{key}}={{value}};{{/each}}' });
    expect(rendered(tree.render(data))).toBe('a=1;b=2;db/host=db1;');
    const ls = new TemplateRenderer({ name: 't', text: '{{#ls "/config"}}{{key}}{{#unless @last}},{{/unless}}{{/ls}}' });
    const outcome = ls.render(data);
    expect(rendered(outcome)).toBe('a,b');
    expect(outcome.dependencies).toEqual([{ kind: 'tree', prefix: '/config' }]);
  });

  it('service lists healthy instances sorted by id, with payload', () => {
    const r = new TemplateRenderer({
      name: 't',
      text: '{{#service "web"}}server {{id}} {{address}}:{{port}}{{#if payload.zone}} zone={{payload.zone}}{{/if}}\n{{/service}}',
    });
    const outcome = r.render(data);
    expect(rendered(outcome)).toBe('server w1 10.0.0.1:80 zone=a\nserver w2 10.0.0.2:81\n');
    expect(outcome.dependencies).toEqual([{ kind: 'service', name: 'web' }]);
  });

  it('an empty service renders the else block', () => {
    const empty = new StaticDataSource({ services: { api: [] } });
    const r = new TemplateRenderer({ name: 't', text: '{{#service "api"}}x{{else}}none{{/service}}' });
    expect(rendered(r.render(empty))).toBe('none');
  });

  it('env reads only the variables it was given', () => {
    const r = new TemplateRenderer({ name: 't', text: '{{env "HOME"}}|{{env "NOPE"}}', env: { HOME: '/root' } });
    expect(rendered(r.render(data))).toBe('/root|');
  });

  it('formatting helpers: JSON, YAML, join/split, case, replace, base64, trim, indent', () => {
    const text = [
      '{{toJSON (parseJSON (key "/json"))}}',
      '{{toYAML (parseJSON (key "/json"))}}',
      '{{join (split "a,b,c" ",") "-"}}',
      '{{toUpper "ab"}}{{toLower "CD"}}',
      '{{replace "a.b.c" "." "/"}}',
      '{{base64Encode "hi"}} {{base64Decode "aGk="}}',
      '[{{trimSpace "  x  "}}]',
      '{{indent 2 (key "/lines")}}',
    ].join('\n');
    const r = new TemplateRenderer({ name: 't', text });
    const source = new StaticDataSource({ keys: { '/json': '{"a":[1,2]}', '/lines': 'a\nb' } });
    expect(rendered(r.render(source))).toBe(
      ['{"a":[1,2]}', 'a:\n  - 1\n  - 2', 'a-b-c', 'ABcd', 'a/b/c', 'aGk= hi', '[x]', '  a\n  b'].join('\n'),
    );
  });

  it('output is not HTML-escaped (config files, not web pages)', () => {
    const r = new TemplateRenderer({ name: 't', text: '{{key "/v"}}' });
    expect(rendered(r.render(new StaticDataSource({ keys: { '/v': '<a & "b">' } })))).toBe('<a & "b">');
  });

  it('a bad helper argument fails naming the template and line', () => {
    const r = new TemplateRenderer({ name: 'app.hbs', text: 'ok\n{{join "notalist" ","}}' });
    const outcome = r.render(data);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind !== 'failed') return;
    expect(outcome.error.template).toBe('app.hbs');
    expect(outcome.error.line).toBe(2);
    expect(outcome.error.message).toBe('app.hbs:2: join: expected a list to join');
  });

  it('a syntax error throws a RenderError naming the line', () => {
    let error: unknown;
    try {
      new TemplateRenderer({ name: 'bad.hbs', text: 'a\nb\n{{#if x}}\n' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).template).toBe('bad.hbs');
    expect((error as RenderError).line).not.toBeNull();
  });
});

describe('TemplateRenderer two-phase render', () => {
  it('reports every dependency not loaded yet instead of output', () => {
    const r = new TemplateRenderer({ name: 't', text: '{{key "/a"}}{{key "/app/port"}}{{#each (tree "/t")}}{{/each}}{{#service "s"}}{{/service}}' });
    const outcome = r.render(data);
    expect(outcome.kind).toBe('missing');
    if (outcome.kind !== 'missing') return;
    expect(outcome.missing).toEqual([
      { kind: 'key', path: '/a' },
      { kind: 'tree', prefix: '/t' },
      { kind: 'service', name: 's' },
    ]);
    expect(outcome.dependencies).toHaveLength(4);
  });

  it('skips unchanged content until reset', () => {
    const r = new TemplateRenderer({ name: 't', text: '{{key "/app/port"}}' });
    expect(r.render(data).kind).toBe('rendered');
    expect(r.render(data).kind).toBe('unchanged');
    r.reset();
    expect(r.render(data).kind).toBe('rendered');
  });

  it('missing policy fail: an absent key without default is an error naming template and line', () => {
    const r = new TemplateRenderer({ name: 'x.hbs', text: 'a\n\n{{key "/gone"}}', missing: { policy: 'fail', timeoutMs: null } });
    const outcome = r.render(data);
    expect(outcome.kind === 'failed' && outcome.error.message).toBe('x.hbs:3: key "/gone" does not exist');
  });

  it('missing policy default: an absent key renders as empty text', () => {
    const r = new TemplateRenderer({ name: 't', text: '[{{key "/gone"}}]', missing: { policy: 'default', timeoutMs: null } });
    expect(rendered(r.render(data))).toBe('[]');
  });

  it('missing policy wait: waits, then fails after timeoutMs, and recovers when the key appears', () => {
    const clock = new ManualScheduler();
    const r = new TemplateRenderer({ name: 't', text: '{{key "/k"}}', missing: { policy: 'wait', timeoutMs: 1000 }, clock });
    const absent = new StaticDataSource({ keys: { '/k': null } });
    const first = r.render(absent);
    expect(first.kind).toBe('waiting');
    expect(first.kind === 'waiting' && first.absent).toEqual([{ path: '/k', line: 1 }]);
    clock.advance(999);
    expect(r.render(absent).kind).toBe('waiting');
    clock.advance(1);
    expect(r.render(absent).kind).toBe('failed');
    expect(rendered(r.render(new StaticDataSource({ keys: { '/k': 'v' } })))).toBe('v');
    expect(r.render(absent).kind).toBe('waiting');
  });
});

describe('TemplateRenderer literal key reads (rendered without generated code)', () => {
  const source = new StaticDataSource({ keys: { '/a': 'A', '/b': 'B', '/gone': null } });

  it('render the same as the same reads inside a compiled block', () => {
    const text = 'x={{key "/a"}} {{~key "/b"~}} , {{keyOrDefault "/gone" "d"}}{{! note }}|{{key "/gone" "e"}}\n  {{{key "/a"}}}\n';
    const literal = new TemplateRenderer({ name: 't', text });
    const compiled = new TemplateRenderer({ name: 't', text: `{{#if true}}${text}{{/if}}` });
    expect(rendered(literal.render(source))).toBe('x=AB, d|e\n  A\n');
    expect(rendered(literal.render(source))).toBe(rendered(compiled.render(source)));
  });

  it('mix with blocks, hashes and paths in template order', () => {
    const text = '{{key "/a"}}{{#each (tree "/config")}}{{key}};{{/each}}{{key "/b"}}{{this.x}}{{key "/a"}}';
    const r = new TemplateRenderer({ name: 't', text, context: { x: '!' } });
    const withTree = new StaticDataSource({ keys: { '/a': 'A', '/b': 'B' }, trees: { '/config': [{ key: 'k', value: 'v' }] } });
    expect(rendered(r.render(withTree))).toBe('Ak;B!A');
  });

  it('a bad argument fails naming the template and line, as a compiled read does', () => {
    const r = new TemplateRenderer({ name: 'app.hbs', text: 'ok\n{{key "relative"}}' });
    const outcome = r.render(source);
    expect(outcome.kind === 'failed' && outcome.error.message).toBe('app.hbs:2: key: expected an absolute znode path');
  });

  it('10,000 reads render in order and are all recorded as dependencies', () => {
    const keys: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) keys[`/k${i}`] = `v${i}`;
    const text = Object.keys(keys).map((path) => `{{key "${path}"}}`).join('\n');
    const outcome = new TemplateRenderer({ name: 't', text }).render(new StaticDataSource({ keys }));
    expect(rendered(outcome)).toBe(Object.values(keys).join('\n'));
    expect(outcome.dependencies).toHaveLength(10_000);
  });
});
