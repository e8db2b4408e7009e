/**
 * A template that cannot be rendered (syntax error, missing key, bad helper argument), naming
 * the template and line so the operator can fix it; the runner keeps the last good file.
 */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  /** The template's name (its source path or config position). */
  readonly template: string;
  /** The 1-based line in the template, when known. */
  readonly line: number | null;
  /** What went wrong, without the template and line. */
  readonly reason: string;

  /** Builds the `template:line: reason` message. */
  constructor(template: string, line: number | null, reason: string) {
    super(`${template}${line === null ? '' : `:${line}`}: ${reason}`);
    this.template = template;
    this.line = line;
    this.reason = reason;
  }
}

/** An error thrown inside a helper, carrying the helper's line until the renderer names the template. */
export class HelperError extends Error {
  override readonly name = 'HelperError';
  /** The 1-based line of the helper call, when Handlebars reported it. */
  readonly line: number | null;

  /** Wraps `reason` with the helper's name. */
  constructor(helper: string, line: number | null, reason: string) {
    super(`${helper}: ${reason}`);
    this.line = line;
  }
}
