import { MAX_INPUT_CHARS } from './limits';

/** What was left out of an over-long paste, for the answer to say so. */
export interface Omission {
  /** Characters of the input that were not read. */
  chars: number;
  /** Whole or partial lines that were not read. */
  lines: number;
  /** Characters of the input, for "read 40,000 of 61,234". */
  inputChars: number;
}

export interface Excerpt {
  text: string;
  omitted: Omission | null;
}

// Words that mark a line worth reading in a long log. Linear (one alternation of literals; recheck-proven).
const ERROR_LOOKING =
  /\b(?:error|erro|fatal|fata|fail(?:ed|ure|s)?|panic|denied|refused|unsupported|not (?:found|supported|implemented|permitted|installed)|unknown service|no such file|invalid|cannot|unable)\b|level=(?:error|fatal|warn)|^[EF]\d{4} |报错|错误|失败/i;
/** Lines kept on each side of an error-looking line: cause and effect are often a few lines apart. */
const CONTEXT_LINES = 2;

/**
 * Picks the part of an over-long paste that holds the error, within `limit` characters.
 * A `journalctl` dump puts the newest lines last, so the end of the log is the default; when the log has
 * error-looking lines, those (with two lines of context each) are kept instead, newest first, until the
 * budget is spent, and then shown in their original order. Short inputs pass through untouched.
 *
 * @example
 * selectExcerpt('info line\n'.repeat(6000) + 'unsupported shim version (3)').text.endsWith('unsupported shim version (3)') // true
 */
export function selectExcerpt(input: string, limit = MAX_INPUT_CHARS): Excerpt {
  if (input.length <= limit) return { text: input, omitted: null };
  const lines = input.split('\n');
  const keep = new Uint8Array(lines.length);
  let budget = limit;
  /** Keeps the line if it fits the budget; says whether it is kept. */
  const take = (index: number): boolean => {
    if (keep[index] === 1) return true;
    const cost = lines[index]!.length + 1;
    if (cost > budget) return false;
    keep[index] = 1;
    budget -= cost;
    return true;
  };
  // Newest error-looking lines first, each with its neighbours.
  for (let index = lines.length - 1; index >= 0 && budget > 0; index -= 1) {
    if (!ERROR_LOOKING.test(lines[index]!.slice(0, 4_000))) continue;
    for (let offset = -CONTEXT_LINES; offset <= CONTEXT_LINES; offset += 1) {
      const neighbour = index + offset;
      if (neighbour >= 0 && neighbour < lines.length) take(neighbour);
    }
  }
  // Whatever budget is left goes to the end of the log, as one unbroken tail.
  for (let index = lines.length - 1; index >= 0 && budget > 0; index -= 1) {
    if (!take(index)) break;
  }

  const kept: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (keep[index] === 1) kept.push(lines[index]!);
  }
  // A single line longer than the budget: read its end, where the final error of a wrapped message sits.
  if (kept.length === 0) {
    return { text: input.slice(-limit), omitted: { chars: input.length - limit, lines: 1, inputChars: input.length } };
  }
  const text = kept.join('\n');
  return { text, omitted: { chars: input.length - text.length, lines: lines.length - kept.length, inputChars: input.length } };
}

export const LONG_INPUT_PATTERNS: readonly RegExp[] = [ERROR_LOOKING];
