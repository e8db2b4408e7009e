/** Names the dotenv package (and shells) accept on the left of `=`. */
const dotenvName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Values that need no quotes: nothing dotenv would strip, split or treat as a comment. */
const bareValue = /^[A-Za-z0-9_./:@%+,=\\-]*$/;

/**
 * Quotes one value so the dotenv package reads it back unchanged: bare when safe, single quotes
 * when it has no newline or single quote (dotenv keeps those literally), double quotes when it
 * has newlines (dotenv expands `\n`), backticks otherwise. A backslash right before a closing
 * quote would escape it, so quoted values may not end with one.
 */
export function quoteDotenvValue(value: string): string {
  if (bareValue.test(value)) return value;
  const endsWithBackslash = value.endsWith('\\');
  if (!/['\r\n]/.test(value) && !endsWithBackslash) return `'${value}'`;
  if (!/["\\\r]/.test(value)) return `"${value.replace(/\n/g, '\\n')}"`;
  if (!/[`\r]/.test(value) && !endsWithBackslash) return `\`${value}\``;
  throw new RangeError('value has newlines or quotes that no dotenv quoting can hold');
}

/** Formats variables as a dotenv file, sorted by name, one `NAME=value` per line. */
export function formatDotenv(vars: Readonly<Record<string, string>>): string {
  const names = Object.keys(vars).sort();
  let out = '';
  for (const name of names) {
    if (!dotenvName.test(name)) throw new RangeError(`"${name}" is not a valid variable name`);
    out += `${name}=${quoteDotenvValue(vars[name] ?? '')}\n`;
  }
  return out;
}
