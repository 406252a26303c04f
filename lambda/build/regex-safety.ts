import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkSync } from 'recheck';
import type { RegexSafetyCheck } from '../core/knowledge/validate-knowledge';

// Verdicts are pure functions of (pattern, recheck version), and a proof can take a second: remember them.
const CACHE_FILE = path.resolve(__dirname, '../../node_modules/.cache/shim-fix/recheck.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RECHECK_VERSION = (require('recheck/package.json') as { version: string }).version;

type Verdict = { safe: true } | { safe: false; reason: string };
const UNPROVEN = 'could not be proven free of catastrophic backtracking';

let cache: Record<string, Verdict> | undefined;

function loadCache(): Record<string, Verdict> {
  if (cache) return cache;
  try {
    const stored = JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as { version?: string; verdicts?: Record<string, Verdict> };
    cache = stored.version === RECHECK_VERSION && stored.verdicts ? stored.verdicts : {};
  } catch {
    cache = {};
  }
  return cache;
}

function saveCache(verdicts: Record<string, Verdict>): void {
  try {
    mkdirSync(path.dirname(CACHE_FILE), { recursive: true });
    writeFileSync(CACHE_FILE, JSON.stringify({ version: RECHECK_VERSION, verdicts }));
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/** Runs recheck on one pattern (always case-insensitive, like the matcher). */
export function proveLinear(pattern: string, flags = 'i', timeout = 10_000): Verdict {
  const result = checkSync(pattern, flags, { timeout });
  if (result.status === 'safe') return { safe: true };
  if (result.status === 'vulnerable') {
    const attack = result.attack.pattern.length > 80 ? `${result.attack.pattern.slice(0, 80)}…` : result.attack.pattern;
    return {
      safe: false,
      reason: `can backtrack catastrophically (${result.complexity.type} time, e.g. on ${attack}): use a short bounded gap like .{0,60} or a negated class such as [^"]{0,60} instead of .* between literals`,
    };
  }
  return { safe: false, reason: `${UNPROVEN} (${result.error.kind}): simplify it` };
}

/**
 * Proves a signature free of catastrophic backtracking with recheck (automaton analysis, fuzzing where the
 * automaton would be too large). Build-time only: recheck is a development dependency, and the Lambda
 * ships only patterns that passed here.
 */
export const recheckRegexSafety: RegexSafetyCheck = (pattern) => {
  const verdicts = loadCache();
  let verdict = verdicts[pattern];
  if (!verdict) {
    // A timeout says more about the machine's load than about the pattern: try once more with more time, and never
    // remember it, or one busy run would fail every later one.
    verdict = proveLinear(pattern);
    if (!verdict.safe && verdict.reason.startsWith(UNPROVEN)) verdict = proveLinear(pattern, 'i', 30_000);
    if (verdict.safe || !verdict.reason.startsWith(UNPROVEN)) {
      verdicts[pattern] = verdict;
      saveCache(verdicts);
    }
  }
  return verdict.safe ? undefined : verdict.reason;
};
