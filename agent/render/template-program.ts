import type Handlebars from 'handlebars';

/**
 * A top-level `{{key "/path"}}`, `{{key "/path" "default"}}` or `{{keyOrDefault "/path" "d"}}`
 * whose arguments are all string literals. The renderer calls the same helper Handlebars would
 * (same arguments, same line, same errors), without generated code for it.
 */
export interface LiteralKeyCall {
  readonly helper: 'key' | 'keyOrDefault';
  readonly args: readonly string[];
  readonly line: number;
}

/**
 * One piece of a template's top level, rendered in order and joined: literal text, a
 * {@link LiteralKeyCall}, or a compiled slice of other statements.
 */
export type TemplatePart = string | LiteralKeyCall | HandlebarsTemplateDelegate;

/**
 * Statements per compiled slice. Handlebars compiles a program into one JavaScript function; for
 * a template of 10,000 statements that function's code generation peaked at ~200 MB of heap and
 * its code stayed at ~50 MB. Slices of this many statements compile into small functions with
 * the same output.
 */
export const statementsPerSlice = 100;

const compileOptions = { noEscape: true, strict: false } as const;

/**
 * Whether `statement` is a literal key read. Handlebars resolves a mustache with parameters to
 * the registered helper of that name, and with `noEscape` appends its string result as is, so
 * calling the helper directly gives the same output. A hash, a sub-expression, a dotted or
 * `this.`/`../` path, or a non-string argument keeps the statement in compiled code.
 */
function literalKeyCall(statement: hbs.AST.Statement): LiteralKeyCall | null {
  if (statement.type !== 'MustacheStatement') return null;
  const mustache = statement as hbs.AST.MustacheStatement;
  const path = mustache.path;
  if (path.type !== 'PathExpression') return null;
  const { original, parts, depth, data } = path as hbs.AST.PathExpression;
  if ((original !== 'key' && original !== 'keyOrDefault') || parts.length !== 1 || depth !== 0 || data) return null;
  if (mustache.hash !== undefined && mustache.hash.pairs.length > 0) return null;
  if (mustache.params.length === 0 || mustache.params.some((p) => p.type !== 'StringLiteral')) return null;
  const args = mustache.params.map((p) => (p as hbs.AST.StringLiteral).value);
  return { helper: original, args, line: mustache.loc.start.line };
}

/** Literal text for content and comments (whitespace control already applied by the parser), else null. */
function literalText(statement: hbs.AST.Statement): string | null {
  if (statement.type === 'ContentStatement') return (statement as hbs.AST.ContentStatement).value;
  if (statement.type === 'CommentStatement') return '';
  return null;
}

/**
 * Splits a parsed template into parts: literal text and literal key reads stay data, and the
 * remaining statements compile in slices of at most {@link statementsPerSlice}. Blocks are single
 * statements, so the joined output is the same. Inline partials and partial blocks are visible
 * only inside the program that declares them, so a template that uses them at the top level
 * compiles whole. The AST of the literal parts is not kept: for a template of 10,000 key reads
 * that AST and its generated code were most of the agent's memory.
 */
export function compileProgram(env: typeof Handlebars, program: hbs.AST.Program): TemplatePart[] {
  const body = program.body;
  const isScoped = body.some((s) => s.type === 'DecoratorBlock' || s.type === 'Decorator' || s.type === 'PartialBlockStatement');
  if (isScoped) return [env.compile(program, compileOptions)];
  const parts: TemplatePart[] = [];
  let pending: hbs.AST.Statement[] = [];
  const flush = (): void => {
    if (pending.length > 0) parts.push(env.compile({ ...program, body: pending }, compileOptions));
    pending = [];
  };
  for (const statement of body) {
    const text = literalText(statement);
    const call = text === null ? literalKeyCall(statement) : null;
    if (text === null && call === null) {
      pending.push(statement);
      if (pending.length >= statementsPerSlice) flush();
      continue;
    }
    flush();
    if (call !== null) parts.push(call);
    else if (text !== '' && text !== null) parts.push(text);
  }
  flush();
  return parts;
}
