import type { KnowledgeBundle } from '../knowledge/bundle';
import { PASTE_SEARCH, QUERY_SEARCH } from '../knowledge/search-index';
import { normalise } from '../text/normalise';
import { countHan, tokenise } from '../text/tokenise';
import { SignatureMatcher, type WorkMeter } from './signature-matcher';
import type { Candidate, DiagnoseMode, Diagnoser, Diagnosis, SearchHit } from './types';

export interface DiagnoserOptions {
  /**
   * Confidence at which the bot answers (in a channel, the only answers it gives).
   * @default 0.6
   */
  threshold?: number;
  /**
   * Most that full-text relevance alone can contribute. Kept below the threshold on purpose: without a
   * signature match the bot never speaks up in a channel.
   * @default 0.35
   */
  textWeight?: number;
  /** @default 5 */
  maxCandidates?: number;
}

export const DEFAULT_DIAGNOSER_OPTIONS: Required<DiagnoserOptions> = { threshold: 0.6, textWeight: 0.35, maxCandidates: 5 };

// Queries arrive tokenised (and pruned): split them back on the spaces that joined them.
const PASTE_SEARCH_PRETOKENISED = { ...PASTE_SEARCH, tokenize: (text: string) => text.split(' ') };
const QUERY_SEARCH_PRETOKENISED = { ...QUERY_SEARCH, tokenize: (text: string) => text.split(' ') };

/** A paste with this many Han characters is treated as Chinese: answers lead with the Chinese summary. */
const CHINESE_MIN_HAN = 4;

/** Distinct query terms beyond this add time, not precision (a 40,000-character log repeats itself). */
const MAX_QUERY_TERMS = 256;

/**
 * The diagnosis engine: normalise the paste, match signatures (most of the weight), rank with full-text
 * search (recall for pastes no signature covers), and combine into one confidence per runbook.
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
    const { matches, excluded } = matcher.match(normalised.lines, meter);

    const terms = selective([...new Set(tokenise(normalised.text))]).slice(0, MAX_QUERY_TERMS);
    const textScores = new Map<string, number>();
    if (terms.length > 0) {
      const hits = bundle.index.search(terms.join(' '), PASTE_SEARCH_PRETOKENISED);
      const top = hits[0]?.score ?? 0;
      for (const hit of hits) textScores.set(String(hit.id), top > 0 ? hit.score / top : 0);
    }

    const byId = new Map<string, Candidate>();
    for (const match of matches) {
      byId.set(match.runbook.id, { runbook: match.runbook, confidence: match.score, evidence: match.evidence });
    }
    for (const [id, relevance] of textScores) {
      const runbook = bundle.byId.get(id);
      // A matching exclude means the paste is a known look-alike: keep the runbook out of the ranking too.
      if (!runbook || excluded.has(id)) continue;
      const candidate = byId.get(id) ?? { runbook, confidence: 0, evidence: [] };
      candidate.confidence = 1 - (1 - candidate.confidence) * (1 - settings.textWeight * relevance);
      byId.set(id, candidate);
    }

    const candidates = [...byId.values()]
      .map((candidate) => ({ ...candidate, confidence: round(candidate.confidence) }))
      .sort((a, b) => b.confidence - a.confidence || a.runbook.id.localeCompare(b.runbook.id))
      .slice(0, settings.maxCandidates);
    const best = candidates[0];
    const confident = best !== undefined && best.confidence >= settings.threshold;

    return {
      mode,
      runbook: confident ? best.runbook : null,
      confidence: best?.confidence ?? 0,
      confident,
      shouldAnswer: mode === 'direct' || confident,
      candidates,
      evidence: confident ? best.evidence : [],
      language: countHan(text.slice(0, 4_000), CHINESE_MIN_HAN) >= CHINESE_MIN_HAN ? 'zh' : 'en',
      truncated: normalised.truncated,
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

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
