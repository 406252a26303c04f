/**
 * What `/shim-fix <text>` asks for. Pure, so the routing can be tested on any input.
 */
export type SlashRoute =
  | { kind: 'help' }
  | { kind: 'search'; query: string }
  | { kind: 'remediation'; text: string }
  | { kind: 'unknown'; word: string; suggestion: string };

const HELP_WORDS = new Set(['help', '?', '-h', '--help', 'usage']);
// 搜索 and 查找 too: a Chinese reader who types the subcommand in Chinese means search, not an error to look up.
const SEARCH_WORDS = new Set(['search', 'find', '搜索', '查找']);
// `scan` checks a fleet for stale daemons (read-only); the remediation flow parses and authorises it like `check`.
const REMEDIATION_WORDS = new Set(['check', 'restart', 'scan']);
/** What a remediation target looks like at a glance; the remediation flow validates the exact form. */
const TARGET_LIKE = /^(?:m?i-[0-9a-z]+|tag:.*)$/i;

export const SUBCOMMANDS = ['help', 'search', 'check', 'restart', 'scan'] as const;

/**
 * @example
 * routeSlashCommand('serch shim', true) // { kind: 'unknown', word: 'serch', suggestion: '/shim-fix search shim' }
 */
export function routeSlashCommand(text: string, remediationEnabled: boolean): SlashRoute {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'help' };
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  const remainder = rest.join(' ');
  if (HELP_WORDS.has(word)) return { kind: 'help' };
  if (SEARCH_WORDS.has(word)) return { kind: 'search', query: remainder };
  if (REMEDIATION_WORDS.has(word) || TARGET_LIKE.test(first)) return { kind: 'remediation', text: trimmed };

  const choices = SUBCOMMANDS.filter((name) => remediationEnabled || !REMEDIATION_WORDS.has(name));
  const closest = closestWord(word, choices);
  // A typo of a subcommand gets that subcommand; anything else probably is an error message to look up.
  const suggestion =
    closest !== undefined && editDistance(word, closest) <= Math.max(1, Math.floor(closest.length / 3))
      ? `/shim-fix ${closest}${remainder ? ` ${remainder}` : ''}`
      : `/shim-fix search ${trimmed}`;
  return { kind: 'unknown', word: first, suggestion: suggestion.length > 120 ? `${suggestion.slice(0, 119)}…` : suggestion };
}

function closestWord(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const choice of choices) {
    const distance = editDistance(word, choice);
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (`hlep` → `help`), the commonest
 * typo. Inputs are cut to 64 characters so hostile input stays cheap.
 */
export function editDistance(a: string, b: string): number {
  const left = a.slice(0, 64);
  const right = b.slice(0, 64);
  const rows: number[][] = Array.from({ length: left.length + 1 }, (_, i) => Array.from({ length: right.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= left.length; i += 1) {
    for (let j = 1; j <= right.length; j += 1) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(left.length, right.length);
}
