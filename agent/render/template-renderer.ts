import Handlebars from 'handlebars';
import { assert, type Clock, systemClock } from '../../util/index.js';
import { type DataSource, type Dependency, dependencyId, type ServiceInstance, type TreeEntry } from './data-source.js';
import { formatHelpers } from './format-helpers.js';
import { HelperError, RenderError } from './render-error.js';
import { compileProgram, type LiteralKeyCall, type TemplatePart } from './template-program.js';

/** What to do with a key that was fetched and does not exist, when the template gave no default. */
export interface MissingPolicy {
  /** `wait`: keep the last file until it appears; `default`: render ''; `fail`: report an error. */
  readonly policy: 'wait' | 'default' | 'fail';
  /** With `wait`, fail once the key has been absent this long (null: wait forever). */
  readonly timeoutMs: number | null;
}

/** A key a template read that does not exist, with the line that read it. */
export interface AbsentKey {
  readonly path: string;
  readonly line: number | null;
}

/** The result of one render; every kind lists the dependencies the template read. */
export type RenderOutcome =
  | { readonly kind: 'missing'; readonly dependencies: readonly Dependency[]; readonly missing: readonly Dependency[] }
  | {
      readonly kind: 'waiting';
      readonly dependencies: readonly Dependency[];
      readonly absent: readonly AbsentKey[];
      readonly error: RenderError;
    }
  | { readonly kind: 'failed'; readonly dependencies: readonly Dependency[]; readonly error: RenderError }
  | { readonly kind: 'unchanged'; readonly dependencies: readonly Dependency[]; readonly output: string }
  | { readonly kind: 'rendered'; readonly dependencies: readonly Dependency[]; readonly output: string };

/** Anything that renders a file from a data source snapshot (a template or an env output). */
export interface Renderer {
  /** The name used in errors. */
  readonly name: string;
  /** Renders against `source`; see {@link RenderOutcome}. */
  render(source: DataSource): RenderOutcome;
  /** Forgets the last output, so the next successful render reports `rendered` (after a failed write). */
  reset(): void;
}

/** Inputs of a {@link TemplateRenderer}. */
export interface TemplateRendererOptions {
  /** The template's name for errors (its source path, or `templates[0]`). */
  readonly name: string;
  /** The Handlebars text. */
  readonly text: string;
  /** Policy for absent keys without a default (default: wait forever). */
  readonly missing?: MissingPolicy;
  /** Variables the `env` helper reads (cli/ passes them; this module never reads process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The root context of the template. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Time source for the missing-key timeout. */
  readonly clock?: Clock;
}

interface HelperCallOptions {
  readonly fn?: (context: unknown, options?: { data?: unknown }) => string;
  readonly inverse?: (context: unknown) => string;
  readonly data?: unknown;
  readonly loc?: { readonly start: { readonly line: number } };
}

interface RunState {
  readonly source: DataSource;
  readonly dependencies: Map<string, Dependency>;
  readonly missing: Map<string, Dependency>;
  readonly absent: AbsentKey[];
}

function lineOf(err: unknown): number | null {
  if (err instanceof HelperError) return err.line;
  if (typeof err === 'object' && err !== null && 'lineNumber' in err && typeof err.lineNumber === 'number') {
    return err.lineNumber;
  }
  const match = err instanceof Error ? /line (\d+)/.exec(err.message) : null;
  return match?.[1] === undefined ? null : Number(match[1]);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'error';
}

/** Splits Handlebars' trailing options object from a helper's arguments. */
function splitArgs(raw: readonly unknown[]): { args: unknown[]; options: HelperCallOptions } {
  const args = raw.slice(0, -1);
  const options = (raw[raw.length - 1] ?? {}) as HelperCallOptions;
  return { args, options };
}

/** A helper's own logic: `this`, its arguments without the options, the options, and its line. */
type HelperBody = (self: unknown, args: unknown[], options: HelperCallOptions, line: number | null) => unknown;

/** A helper as Handlebars calls it: arguments followed by the options object. */
type HelperFunction = (this: unknown, ...raw: unknown[]) => unknown;

/** Adapts `body` to Handlebars' calling convention; errors name the helper and its line. */
function wrapHelper(name: string, body: HelperBody): HelperFunction {
  return function (this: unknown, ...raw: unknown[]): unknown {
    const { args, options } = splitArgs(raw);
    const line = options.loc?.start.line ?? null;
    try {
      return body(this, args, options, line);
    } catch (err) {
      if (err instanceof HelperError) throw err;
      throw new HelperError(name, line, err instanceof Error ? err.message : String(err));
    }
  };
}

/** Iterates a block helper over `items` with @index/@first/@last, or returns the list inline. */
function iterate(items: readonly unknown[], options: HelperCallOptions, self: unknown): unknown {
  const fn = options.fn;
  if (fn === undefined) return items;
  if (items.length === 0) return options.inverse?.(self) ?? '';
  let out = '';
  items.forEach((item, index) => {
    const data = Handlebars.createFrame(options.data ?? {}) as Record<string, unknown>;
    data.index = index;
    data.first = index === 0;
    data.last = index === items.length - 1;
    out += fn(item, { data });
  });
  return out;
}

function pathArg(value: unknown, what: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new TypeError(`expected an absolute ${what}`);
  return value;
}

/**
 * A compiled Handlebars template with consul-template style helpers (`key`, `keyOrDefault`,
 * `tree`, `ls`, `service`, `env`, formatting). Each render records every key, prefix and
 * service the template reads, and renders only once all of them are loaded.
 */
export class TemplateRenderer implements Renderer {
  readonly name: string;
  /** The template's top level: text, literal key reads and compiled slices, rendered in order and joined. */
  readonly #parts: readonly TemplatePart[];
  /** The helpers by name, as registered with Handlebars (literal key reads call them directly). */
  readonly #helpers = new Map<string, HelperFunction>();
  readonly #missing: MissingPolicy;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #context: Readonly<Record<string, unknown>>;
  readonly #clock: Clock;
  #run: RunState | null = null;
  #lastOutput: string | null = null;
  #absentSinceMs: number | null = null;

  /** Parses the template; throws a {@link RenderError} naming the line on a syntax error. */
  constructor(options: TemplateRendererOptions) {
    this.name = options.name;
    this.#missing = options.missing ?? { policy: 'wait', timeoutMs: null };
    this.#env = options.env ?? {};
    this.#context = options.context ?? {};
    this.#clock = options.clock ?? systemClock;
    const hbs = Handlebars.create();
    this.#registerHelpers(hbs);
    let program: hbs.AST.Program;
    try {
      program = hbs.parse(options.text);
    } catch (err) {
      throw new RenderError(this.name, lineOf(err), firstLine(err));
    } finally {
      // Handlebars' Jison lexer is one module-wide object that keeps every token of the last
      // input (`matched`) until the next parse: ~4 MB for 10,000 key reads. Parsing '' drops them.
      hbs.parse('');
    }
    this.#parts = compileProgram(hbs, program);
  }

  render(source: DataSource): RenderOutcome {
    const run: RunState = { source, dependencies: new Map(), missing: new Map(), absent: [] };
    this.#run = run;
    let output: string;
    try {
      output = this.#renderParts();
    } catch (err) {
      return { kind: 'failed', dependencies: [...run.dependencies.values()], error: this.#errorOf(err) };
    } finally {
      this.#run = null;
    }
    return this.#outcome(run, output);
  }

  reset(): void {
    this.#lastOutput = null;
  }

  #renderParts(): string {
    let output = '';
    for (const part of this.#parts) {
      if (typeof part === 'string') output += part;
      else if (typeof part === 'function') output += part(this.#context);
      else output += this.#callLiteral(part);
    }
    return output;
  }

  /** Calls the helper of a literal key read as Handlebars would, with the root context as `this`. */
  #callLiteral(call: LiteralKeyCall): string {
    const helper = this.#helpers.get(call.helper);
    assert(helper !== undefined, `helper ${call.helper} is registered`);
    const result = helper.call(this.#context, ...call.args, { loc: { start: { line: call.line } } });
    return result === null || result === undefined ? '' : String(result);
  }

  #errorOf(err: unknown): RenderError {
    if (err instanceof RenderError) return err;
    return new RenderError(this.name, lineOf(err), firstLine(err));
  }

  #outcome(run: RunState, output: string): RenderOutcome {
    const dependencies = [...run.dependencies.values()];
    if (run.missing.size > 0) return { kind: 'missing', dependencies, missing: [...run.missing.values()] };
    if (run.absent.length === 0) this.#absentSinceMs = null;
    else if (this.#missing.policy !== 'default') {
      const first = run.absent[0] as AbsentKey;
      const error = new RenderError(this.name, first.line, `key "${first.path}" does not exist`);
      if (this.#missing.policy === 'fail') return { kind: 'failed', dependencies, error };
      this.#absentSinceMs ??= this.#clock.nowMs();
      const timeoutMs = this.#missing.timeoutMs;
      if (timeoutMs !== null && this.#clock.nowMs() - this.#absentSinceMs >= timeoutMs) {
        return { kind: 'failed', dependencies, error };
      }
      return { kind: 'waiting', dependencies, absent: run.absent, error };
    }
    if (output === this.#lastOutput) return { kind: 'unchanged', dependencies, output };
    this.#lastOutput = output;
    return { kind: 'rendered', dependencies, output };
  }

  #state(): RunState {
    if (this.#run === null) throw new Error('helper called outside a render');
    return this.#run;
  }

  #need(dep: Dependency): RunState {
    const run = this.#state();
    run.dependencies.set(dependencyId(dep), dep);
    return run;
  }

  #lookupKey(path: string, fallback: string | undefined, line: number | null): string {
    const run = this.#need({ kind: 'key', path });
    const value = run.source.getKey(path);
    if (value === undefined) {
      run.missing.set(`key:${path}`, { kind: 'key', path });
      return '';
    }
    if (value.found) return value.data;
    if (fallback !== undefined) return fallback;
    run.absent.push({ path, line });
    return '';
  }

  #tree(prefix: string): readonly TreeEntry[] {
    const run = this.#need({ kind: 'tree', prefix });
    const entries = run.source.getTree(prefix);
    if (entries === undefined) {
      run.missing.set(`tree:${prefix}`, { kind: 'tree', prefix });
      return [];
    }
    return [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  #service(name: string): readonly ServiceInstance[] {
    const run = this.#need({ kind: 'service', name });
    const instances = run.source.getService(name);
    if (instances === undefined) {
      run.missing.set(`service:${name}`, { kind: 'service', name });
      return [];
    }
    return [...instances].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #registerHelpers(hbs: typeof Handlebars): void {
    const register = (name: string, body: HelperBody): void => {
      const helper = wrapHelper(name, body);
      this.#helpers.set(name, helper);
      hbs.registerHelper(name, helper);
    };
    register('key', (self, args, _options, line) => this.#keyHelper(self, args, line));
    register('keyOrDefault', (_self, args, _options, line) => {
      if (args.length !== 2 || typeof args[1] !== 'string') throw new TypeError('expected a path and a default');
      return this.#lookupKey(pathArg(args[0], 'znode path'), args[1], line);
    });
    register('tree', (self, args, options) => iterate(this.#tree(pathArg(args[0], 'prefix')), options, self));
    register('ls', (self, args, options) => {
      const children = this.#tree(pathArg(args[0], 'prefix')).filter((entry) => !entry.key.includes('/'));
      return iterate(children, options, self);
    });
    register('service', (self, args, options) => {
      if (typeof args[0] !== 'string' || args[0] === '') throw new TypeError('expected a service name');
      return iterate(this.#service(args[0]), options, self);
    });
    register('env', (_self, args) => {
      if (typeof args[0] !== 'string') throw new TypeError('expected a variable name');
      return this.#env[args[0]] ?? '';
    });
    for (const [name, helper] of Object.entries(formatHelpers)) register(name, (_self, args) => helper(args));
  }

  /** `key "path" ["default"]`; with no arguments inside `tree`/`ls` it is the entry's own key. */
  #keyHelper(self: unknown, args: unknown[], line: number | null): unknown {
    if (args.length === 0) {
      if (typeof self === 'object' && self !== null && 'key' in self) return self.key;
      throw new TypeError('expected a znode path');
    }
    if (args.length > 2 || (args.length === 2 && typeof args[1] !== 'string')) {
      throw new TypeError('expected a path and an optional default');
    }
    const fallback = typeof args[1] === 'string' ? args[1] : undefined;
    return this.#lookupKey(pathArg(args[0], 'znode path'), fallback, line);
  }
}
