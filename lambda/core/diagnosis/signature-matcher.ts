import type { Runbook, Signature } from '../knowledge/runbook';
import type { Evidence } from './types';

interface CompiledSignature {
  signature: Signature;
  regex: RegExp;
}

interface CompiledRunbook {
  runbook: Runbook;
  signatures: CompiledSignature[];
  excludes: RegExp[];
}

export interface SignatureMatch {
  runbook: Runbook;
  /** One entry per distinct signature that matched, on the first line it matched. */
  evidence: Evidence[];
  /** Noisy-OR of the matched weights: 1 − Π(1 − w). */
  score: number;
}

/**
 * Counts the characters each pattern was run over. The property test bounds it by
 * (patterns × characters read): every pattern is proven linear (recheck) and runs once per line, so
 * this is the whole cost of matching.
 */
export interface WorkMeter {
  charactersScanned: number;
}

const EVIDENCE_CHARS = 300;

/** Compiles every runbook's patterns once, at start-up. */
export class SignatureMatcher {
  private readonly compiled: CompiledRunbook[];
  public readonly patternCount: number;

  public constructor(runbooks: readonly Runbook[]) {
    this.compiled = runbooks.map((runbook) => ({
      runbook,
      signatures: runbook.signatures.map((signature) => ({ signature, regex: new RegExp(signature.pattern, 'i') })),
      excludes: runbook.excludes.map((pattern) => new RegExp(pattern, 'i')),
    }));
    this.patternCount = this.compiled.reduce((sum, entry) => sum + entry.signatures.length + entry.excludes.length, 0);
  }

  /**
   * Matches every runbook against the lines. Runbooks with no match are left out; runbooks whose exclude
   * pattern matched (the paste is a known look-alike) are listed in `excluded` instead.
   */
  public match(lines: readonly string[], meter?: WorkMeter): { matches: SignatureMatch[]; excluded: Set<string> } {
    const results: SignatureMatch[] = [];
    const excluded = new Set<string>();
    for (const entry of this.compiled) {
      if (entry.excludes.some((regex) => anyLine(regex, lines, meter) !== undefined)) {
        excluded.add(entry.runbook.id);
        continue;
      }
      const evidence: Evidence[] = [];
      let miss = 1;
      for (const { signature, regex } of entry.signatures) {
        const hit = anyLine(regex, lines, meter);
        if (hit === undefined) continue;
        miss *= 1 - signature.weight;
        evidence.push({
          line: excerpt(hit.line, hit.index, hit.match.length),
          match: hit.match,
          pattern: signature.pattern,
          weight: signature.weight,
          ...(signature.description === undefined ? {} : { description: signature.description }),
        });
      }
      if (evidence.length > 0) {
        evidence.sort((a, b) => b.weight - a.weight);
        results.push({ runbook: entry.runbook, evidence, score: 1 - miss });
      }
    }
    return { matches: results, excluded };
  }
}

function anyLine(
  regex: RegExp,
  lines: readonly string[],
  meter: WorkMeter | undefined,
): { line: string; index: number; match: string } | undefined {
  for (const line of lines) {
    if (meter) meter.charactersScanned += line.length;
    const match = regex.exec(line);
    if (match) return { line, index: match.index, match: match[0] };
  }
  return undefined;
}

/** The part of a long line around the match, so evidence stays readable in Slack. */
function excerpt(line: string, index: number, length: number): string {
  if (line.length <= EVIDENCE_CHARS) return line;
  const room = Math.max(0, EVIDENCE_CHARS - length);
  const start = Math.max(0, Math.min(index - Math.floor(room / 2), line.length - EVIDENCE_CHARS));
  const end = start + EVIDENCE_CHARS;
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}
