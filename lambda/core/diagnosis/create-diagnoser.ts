import type { KnowledgeBundle } from '../knowledge/bundle';
import { PASTE_SEARCH, QUERY_SEARCH } from '../knowledge/search-index';
import { LONG_INPUT_PATTERNS } from '../text/long-input';
import { normalise } from '../text/normalise';
import { countHan, tokenise } from '../text/tokenise';
import { discriminatorFor } from './discriminators';
import { SignatureMatcher, type SignatureMatch, type WorkMeter } from './signature-matcher';
import type { AmbiguousPair, Candidate, DiagnoseMode, Diagnoser, Diagnosis, MissingInput, SearchHit } from './types';

export interface DiagnoserOptions {
  /**
   * Confidence at which the bot answers (in a channel, the only answers it gives). Chosen from the
   * held-out recall/precision table of `npm run bench:diagnose` (docs/diagnosis.md).
   * @default 0.45
   */
  threshold?: number;
  /**
   * Most that full-text relevance alone can contribute, reached when the runbook shares TEXT_FULL_TERMS
   * distinct terms with the paste's evidence lines. Far below the threshold: text ranks candidates, it
   * never makes the bot speak on its own.
   * @default 0.2
   */
  textWeight?: number;
  /** @default 5 */
  maxCandidates?: number;
}

export const DEFAULT_DIAGNOSER_OPTIONS: Required<DiagnoserOptions> = { threshold: 0.45, textWeight: 0.2, maxCandidates: 5 };

/** Distinct shared terms at which the text contribution is full: an absolute count, not relative to the best hit. */
const TEXT_FULL_TERMS = 10;
/** Two runbooks whose signature scores are this close fit the evidence equally. */
const AMBIGUITY_MARGIN = 0.1;
/** Each runbook of an ambiguous pair needs at least this much signature evidence of its own. */
const AMBIGUITY_MIN_SCORE = 0.4;

// Queries arrive tokenised (and pruned): split them back on the spaces that joined them.
const PASTE_SEARCH_PRETOKENISED = { ...PASTE_SEARCH, tokenize: (text: string) => text.split(' ') };
const QUERY_SEARCH_PRETOKENISED = { ...QUERY_SEARCH, tokenize: (text: string) => text.split(' ') };

/** A paste with this many Han characters is treated as Chinese: the whole answer is in Chinese. */
const CHINESE_MIN_HAN = 4;

/** Distinct query terms beyond this add time, not precision (a 40,000-character log repeats itself). */
const MAX_QUERY_TERMS = 256;

const ERROR_LOOKING = LONG_INPUT_PATTERNS[0]!;
// A release number anywhere (`containerd 2.0.1`, `v1.7.23`, `Version: 1.31`). Linear: bounded digit runs.
const VERSION_NUMBER = /\bv?\d{1,3}\.\d{1,3}(?:\.\d{1,4})?\b/;

/**
 * The diagnosis engine: normalise the paste, drop routine lines, match signatures over the rest (absolute
 * evidence: noisy-OR of the matched weights), add a small absolute text term, and decide: one answer,
 * an honest pair, or no confident match with what is missing.
 *
 * @example
 * const diagnoser = createDiagnoser(loadKnowledgeBundle(json));
 * diagnoser.diagnose('unsupported shim version (3): not implemented', { mode: 'channel' }).runbook?.id;
 * // 'shim-version-mismatch'
 */
export function createDiagnoser(bundle: KnowledgeBundle, options: DiagnoserOptions = {}): Diagnoser & {
  diagnoseWithMeter(text: string, mode: DiagnoseMode, meter: WorkMeter): Diagnosis;
} {
  const settings = { ...DEFAULT_DIAGNOSER_OPTIONS, ...options };
  const matcher = new SignatureMatcher(bundle.runbooks);
  /** Leaves out the knowledge base's common terms, unless nothing else would remain. */
  const selective = (terms: string[]): string[] => {
    const rare = terms.filter((term) => !bundle.commonTerms.has(term));
    return rare.length > 0 ? rare : terms;
  };

  const diagnoseWithMeter = (text: string, mode: DiagnoseMode, meter?: WorkMeter): Diagnosis => {
    const normalised = normalise(text);
    const { matches, excluded, evidenceLines } = matcher.match(normalised.lines, normalised.levels, meter);
    const signatures = new Map<string, SignatureMatch>(matches.map((match) => [match.runbook.id, match]));

    const textRank = new Map<string, { rank: number; support: number }>();
    // In a channel, text alone never answers: without a signature match the search could only rank a silence.
    const needText = mode === 'direct' || matches.length > 0;
    // Text reads the evidence lines only (routine lines say nothing), or everything when all were routine.
    const searchText = evidenceLines.length > 0 ? evidenceLines.join('\n') : normalised.text;
    const terms = needText ? selective([...new Set(tokenise(searchText))]).slice(0, MAX_QUERY_TERMS) : [];
    if (terms.length > 0) {
      const hits = bundle.index.search(terms.join(' '), PASTE_SEARCH_PRETOKENISED);
      hits.forEach((hit, rank) => {
        textRank.set(String(hit.id), { rank, support: Math.min(1, hit.queryTerms.length / TEXT_FULL_TERMS) });
      });
    }

    const byId = new Map<string, Candidate & { score: number; rank: number; hinted: boolean }>();
    for (const match of matches) {
      byId.set(match.runbook.id, { runbook: match.runbook, confidence: match.score, evidence: match.evidence, score: match.score, rank: Infinity, hinted: match.hinted });
    }
    for (const [id, { rank, support }] of textRank) {
      const runbook = bundle.byId.get(id);
      // A matching exclude means the paste is a known look-alike: keep the runbook out of the ranking too.
      if (!runbook || excluded.has(id)) continue;
      const candidate = byId.get(id) ?? { runbook, confidence: 0, evidence: [], score: 0, rank, hinted: false };
      candidate.rank = rank;
      candidate.confidence = 1 - (1 - candidate.score) * (1 - settings.textWeight * support);
      byId.set(id, candidate);
    }

    const ranked = [...byId.values()]
      .map((candidate) => ({ ...candidate, confidence: round(candidate.confidence) }))
      .sort((a, b) => b.confidence - a.confidence || a.rank - b.rank || a.runbook.id.localeCompare(b.runbook.id));
    const pair = ambiguousPair(ranked);
    if (pair === 'hint-breaks-tie') {
      // Version hints only break ties: the hinted runbook of a tied pair goes first, and carries the pair's
      // confidence, since the evidence said "one of these two" and the version says which.
      const [first, second] = ranked as [(typeof ranked)[number], (typeof ranked)[number]];
      const [winner, loser] = second.hinted ? [second, first] : [first, second];
      ranked[0] = { ...winner, confidence: eitherOf(winner.confidence, loser.confidence) };
      ranked[1] = loser;
    }
    const candidates: Candidate[] = ranked
      .slice(0, settings.maxCandidates)
      .map(({ runbook, confidence, evidence }) => ({ runbook, confidence, evidence }));
    const best = candidates[0];
    const ambiguous = pair !== null && pair !== 'hint-breaks-tie';
    const answerConfidence = ambiguous ? pair.confidence : (best?.confidence ?? 0);
    const confident = answerConfidence >= settings.threshold && (ambiguous || signatures.has(best?.runbook.id ?? ''));
    const single = confident && !ambiguous && best !== undefined;

    return {
      mode,
      runbook: single ? best.runbook : null,
      confidence: answerConfidence,
      confident,
      shouldAnswer: mode === 'direct' || confident,
      ambiguous,
      pair: ambiguous ? pair : null,
      candidates,
      evidence: single ? best.evidence : ambiguous ? pair.candidates.flatMap((c) => c.evidence) : [],
      language: countHan(text.slice(0, 4_000), CHINESE_MIN_HAN) >= CHINESE_MIN_HAN ? 'zh' : 'en',
      truncated: normalised.truncated,
      omitted: normalised.omitted,
      missing: confident || mode === 'channel' ? [] : missingInputs(normalised.lines, matches.length > 0),
    };
  };

  return {
    diagnose: (text, { mode = 'channel' } = {}) => diagnoseWithMeter(text, mode),
    diagnoseWithMeter,
    search: (query, { limit = 5 } = {}): SearchHit[] => {
      const terms = selective([...new Set(tokenise(query))]);
      if (terms.length === 0) return [];
      return bundle.index
        .search(terms.join(' '), QUERY_SEARCH_PRETOKENISED)
        .slice(0, limit)
        .flatMap((hit) => {
          const runbook = bundle.byId.get(String(hit.id));
          return runbook ? [{ runbook, score: round(hit.score) }] : [];
        });
    },
    runbook: (id) => bundle.byId.get(id),
    runbooks: () => bundle.runbooks,
  };
}

/**
 * The top two fit equally when both have signature evidence of their own and their signature scores are
 * within the margin. A version hint on exactly one of them breaks the tie instead.
 */
function ambiguousPair(
  ranked: readonly (Candidate & { score: number; hinted: boolean })[],
): AmbiguousPair | 'hint-breaks-tie' | null {
  const [first, second] = ranked;
  if (!first || !second) return null;
  if (first.score < AMBIGUITY_MIN_SCORE || second.score < AMBIGUITY_MIN_SCORE) return null;
  if (Math.abs(first.score - second.score) > AMBIGUITY_MARGIN) return null;
  if (first.hinted !== second.hinted) return 'hint-breaks-tie';
  const strip = ({ runbook, confidence, evidence }: Candidate): Candidate => ({ runbook, confidence, evidence });
  return {
    candidates: [strip(first), strip(second)],
    // One of the two is the answer: the chance that at least one explanation holds.
    confidence: eitherOf(first.confidence, second.confidence),
    discriminator: discriminatorFor(first.runbook.id, second.runbook.id),
  };
}

/** What a paste without a confident answer lacks, so the reply can ask for exactly that. */
function missingInputs(lines: readonly string[], anySignature: boolean): MissingInput[] {
  const missing: MissingInput[] = [];
  if (!anySignature && !lines.some((line) => ERROR_LOOKING.test(line))) missing.push('error-line');
  if (lines.length < 3) missing.push('journal');
  if (!lines.some((line) => VERSION_NUMBER.test(line))) missing.push('versions');
  return missing;
}

export const DIAGNOSER_PATTERNS: readonly RegExp[] = [VERSION_NUMBER];

/** The chance that at least one of two explanations holds. */
function eitherOf(a: number, b: number): number {
  return round(1 - (1 - a) * (1 - b));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
