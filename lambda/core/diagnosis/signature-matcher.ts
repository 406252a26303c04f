import type { Runbook, Signature } from '../knowledge/runbook';
import { LINE_OVERLAP_CHARS, MAX_LINE_CHARS } from '../text/limits';
import type { LogLevel } from '../text/normalise';
import { isRoutineLine } from './routine-lines';
import type { Evidence } from './types';

interface CompiledSignature {
  signature: Signature;
  regex: RegExp;
  hint: boolean;
}

interface CompiledRunbook {
  runbook: Runbook;
  signatures: CompiledSignature[];
  excludes: RegExp[];
}

export interface SignatureMatch {
  runbook: Runbook;
  /** One entry per distinct signature that matched, at its first match; version hints last. */
  evidence: Evidence[];
  /**
   * Noisy-OR over evidence lines of the strongest weight matched on each line, version hints left out:
   * 1 − Π(1 − max w). Two signatures on one line are one piece of evidence, not two independent ones.
   */
  score: number;
  /** Whether a version hint matched (it only breaks ties). */
  hinted: boolean;
}

/**
 * Counts the characters each pattern was run over. The property test bounds it by
 * (patterns × characters read × window overlap): every pattern is proven linear (recheck) and runs once
 * per window, so this is the whole cost of matching.
 */
export interface WorkMeter {
  charactersScanned: number;
}

const EVIDENCE_CHARS = 300;

/**
 * A signature that only names a version (`containerd v?1\.[0-5]\.\d`, `RuntimeVersion: ?v?2`): the paste
 * says which release runs, not what failed. Such a signature only breaks ties between runbooks.
 */
const VERSION_HINT = /v\?\d|Version: \?v/;

export function isVersionHint(pattern: string): boolean {
  return VERSION_HINT.test(pattern);
}

/**
 * The text signatures read: every line that is not routine (info-level, or a known benign message), joined
 * by spaces so a pattern can span a wrapped or cut line, then cut into overlapping windows so the work per
 * pattern stays proportional to the input whatever the pattern.
 */
interface EvidenceText {
  windows: { text: string; start: number }[];
  /** Start offset of each kept line in the joined text, for finding the line a match is on. */
  starts: number[];
  lines: string[];
}

function evidenceText(lines: readonly string[], levels: readonly (LogLevel | null)[]): EvidenceText {
  const kept: string[] = [];
  const starts: number[] = [];
  let offset = 0;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (isRoutineLine(line, levels[index] ?? null)) continue;
    kept.push(line);
    starts.push(offset);
    offset += line.length + 1;
  }
  const joined = kept.join(' ');
  const windows: { text: string; start: number }[] = [];
  const step = MAX_LINE_CHARS - LINE_OVERLAP_CHARS;
  for (let start = 0; start < joined.length; start += step) {
    windows.push({ text: joined.slice(start, start + MAX_LINE_CHARS), start });
    if (start + MAX_LINE_CHARS >= joined.length) break;
  }
  return { windows, starts, lines: kept };
}

/** Compiles every runbook's patterns once, at start-up. */
export class SignatureMatcher {
  private readonly compiled: CompiledRunbook[];
  public readonly patternCount: number;

  public constructor(runbooks: readonly Runbook[]) {
    this.compiled = runbooks.map((runbook) => ({
      runbook,
      signatures: runbook.signatures.map((signature) => ({
        signature,
        regex: new RegExp(signature.pattern, 'i'),
        hint: isVersionHint(signature.pattern),
      })),
      excludes: runbook.excludes.map((pattern) => new RegExp(pattern, 'i')),
    }));
    this.patternCount = this.compiled.reduce((sum, entry) => sum + entry.signatures.length + entry.excludes.length, 0);
  }

  /**
   * Matches every runbook against the paste's evidence text. Runbooks with no match are left out; runbooks
   * whose exclude pattern matched (the paste is a known look-alike) are listed in `excluded` instead.
   * Also returns the lines that count as evidence (routine lines removed), for full-text search.
   */
  public match(
    lines: readonly string[],
    levels: readonly (LogLevel | null)[],
    meter?: WorkMeter,
  ): { matches: SignatureMatch[]; excluded: Set<string>; evidenceLines: string[] } {
    const text = evidenceText(lines, levels);
    const results: SignatureMatch[] = [];
    const excluded = new Set<string>();
    for (const entry of this.compiled) {
      if (entry.excludes.some((regex) => find(regex, text, meter) !== undefined)) {
        excluded.add(entry.runbook.id);
        continue;
      }
      const evidence: Evidence[] = [];
      const strongestOnLine = new Map<number, number>();
      let hinted = false;
      for (const { signature, regex, hint } of entry.signatures) {
        const hit = find(regex, text, meter);
        if (hit === undefined) continue;
        if (hint) hinted = true;
        else strongestOnLine.set(hit.lineIndex, Math.max(strongestOnLine.get(hit.lineIndex) ?? 0, signature.weight));
        evidence.push({
          line: hit.line,
          match: hit.match,
          pattern: signature.pattern,
          weight: signature.weight,
          ...(signature.description === undefined ? {} : { description: signature.description }),
          ...(hint ? { hint: true as const } : {}),
        });
      }
      if (evidence.length > 0) {
        evidence.sort((a, b) => Number(a.hint ?? false) - Number(b.hint ?? false) || b.weight - a.weight);
        const miss = [...strongestOnLine.values()].reduce((product, weight) => product * (1 - weight), 1);
        results.push({ runbook: entry.runbook, evidence, score: 1 - miss, hinted });
      }
    }
    return { matches: results, excluded, evidenceLines: text.lines };
  }
}

function find(
  regex: RegExp,
  text: EvidenceText,
  meter: WorkMeter | undefined,
): { line: string; lineIndex: number; match: string } | undefined {
  for (const window of text.windows) {
    if (meter) meter.charactersScanned += window.text.length;
    const match = regex.exec(window.text);
    if (!match) continue;
    const offset = window.start + match.index;
    const lineIndex = lineAt(text, offset);
    return { line: lineAround(text, lineIndex, offset, match[0].length), lineIndex, match: match[0] };
  }
  return undefined;
}

/** Index of the kept line that holds the offset of the joined text. */
function lineAt(text: EvidenceText, offset: number): number {
  let lo = 0;
  let hi = text.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (text.starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The kept line the match starts on (and the next one when the match runs into it), shortened around the match. */
function lineAround(text: EvidenceText, lo: number, offset: number, length: number): string {
  const start = text.starts[lo] ?? 0;
  let line = text.lines[lo] ?? '';
  if (offset + length > start + line.length && lo + 1 < text.lines.length) line = `${line} ${text.lines[lo + 1]}`;
  return excerpt(line, offset - start, length);
}

/** The part of a long line around the match, so evidence stays readable in Slack. */
function excerpt(line: string, index: number, length: number): string {
  if (line.length <= EVIDENCE_CHARS) return line;
  const room = Math.max(0, EVIDENCE_CHARS - length);
  const start = Math.max(0, Math.min(index - Math.floor(room / 2), line.length - EVIDENCE_CHARS));
  const end = start + EVIDENCE_CHARS;
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}

export const SIGNATURE_MATCHER_PATTERNS: readonly RegExp[] = [VERSION_HINT];
