/**
 * Splits a shell line into words as zkCli does, plus quotes: whitespace separates words,
 * "double" or 'single' quotes keep spaces inside one word, and a backslash escapes the next
 * character outside single quotes. Pure.
 */
import { UsageError } from '../exit-codes.js';

/** The words of `line`; an unterminated quote is a usage error. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let hasWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      hasWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      hasWord = true;
    } else if (/\s/.test(ch)) {
      if (hasWord) words.push(word);
      word = '';
      hasWord = false;
    } else {
      word += ch;
      hasWord = true;
    }
  }
  if (quote !== null) throw new UsageError(`unterminated ${quote} quote`);
  if (hasWord) words.push(word);
  return words;
}
