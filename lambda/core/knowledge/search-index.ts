import MiniSearch, { type Options, type SearchOptions } from 'minisearch';
import { processTerm, tokenise } from '../text/tokenise';
import { proseOf } from './code-blocks';
import type { Runbook } from './runbook';

/** What the full-text index stores per runbook. */
export interface IndexedRunbook {
  id: string;
  title: string;
  summary: string;
  summaryZh: string;
  keywords: string;
  symptoms: string;
  cause: string;
  /** The Chinese title and the Chinese prose of the Symptoms and Cause sections, Han text only (see `chineseProse`). */
  zh: string;
}

/**
 * Index options: the same object must be used to build and to load (MiniSearch.loadJS), which is why it is
 * a shared constant and not inlined at either place.
 */
export const INDEX_OPTIONS: Options<IndexedRunbook> = {
  idField: 'id',
  fields: ['id', 'title', 'summary', 'summaryZh', 'keywords', 'symptoms', 'cause', 'zh'],
  storeFields: [],
  tokenize: tokenise,
  processTerm,
};

/** Titles and keywords are written to be found; prose sections only support them. */
export const FIELD_BOOST: Record<string, number> = {
  id: 2,
  title: 3,
  keywords: 3,
  summary: 2,
  summaryZh: 2,
  symptoms: 1,
  cause: 0.5,
  zh: 0.75,
};

/** For ranking pastes: exact terms only, since log text is precise and fuzzy matching only adds noise. */
export const PASTE_SEARCH: SearchOptions = { boost: FIELD_BOOST, combineWith: 'OR' };
/**
 * For people's search queries: forgive typos and half-typed words. Only the short fields written to be
 * found: prose sections share most words with every other runbook, so searching them costs time in a large
 * knowledge base (every posting of `containerd`) without changing the top results.
 */
export const QUERY_SEARCH: SearchOptions = {
  // `zh` is prose too, but only Chinese questions reach it (it holds Han text only), and there it is what
  // tells runbooks apart: the Chinese summary alone is one sentence.
  fields: ['id', 'title', 'keywords', 'summary', 'summaryZh', 'zh'],
  boost: FIELD_BOOST,
  combineWith: 'OR',
  prefix: (term) => term.length >= 3,
  fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
};

export function toIndexed(runbook: Runbook): IndexedRunbook {
  return {
    id: runbook.id,
    title: runbook.title,
    summary: runbook.summary,
    summaryZh: runbook.summaryZh,
    keywords: runbook.keywords.join(' '),
    symptoms: runbook.sections.symptoms,
    cause: runbook.sections.cause,
    zh: chineseProse(`${runbook.titleZh}\n${runbook.sectionsZh.symptoms}\n${runbook.sectionsZh.cause}`),
  };
}

const HAN_RUNS = /\p{Script=Han}+/gu;

/**
 * Only the Han runs of the Chinese sections are indexed. Their code and the error strings quoted in them are
 * the English ones, already indexed from the English sections: indexing them twice would double their weight
 * for every English paste. Han-only, the field changes nothing for an English paste and gives a Chinese paste
 * or question the Chinese wording of each symptom and cause.
 */
export function chineseProse(markdown: string): string {
  return (proseOf(markdown).match(HAN_RUNS) ?? []).join(' ');
}

/** Below this many runbooks no term is pruned: in a small knowledge base every word still tells runbooks apart. */
export const MIN_RUNBOOKS_FOR_COMMON_TERMS = 50;
/** A term in more than this share of the runbooks is "common" for this knowledge base. */
export const COMMON_TERM_SHARE = 0.5;

/**
 * The knowledge base's own stop words: terms in more than half of the runbooks (in a large base about containerd,
 * `containerd` itself). Their inverse document frequency is near zero, so they barely change a ranking, yet their
 * postings are the longest, so they dominate query time. Queries leave them out when they have other terms.
 * Sorted, so the bundle stays byte-identical for the same runbooks.
 */
export function commonTerms(runbooks: readonly Runbook[]): string[] {
  if (runbooks.length < MIN_RUNBOOKS_FOR_COMMON_TERMS) return [];
  const documentFrequency = new Map<string, number>();
  for (const runbook of runbooks) {
    const indexed = toIndexed(runbook);
    const terms = new Set((INDEX_OPTIONS.fields ?? []).flatMap((field) => tokenise(String(indexed[field as keyof IndexedRunbook]))));
    for (const term of terms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  return [...documentFrequency]
    .filter(([, count]) => count > runbooks.length * COMMON_TERM_SHARE)
    .map(([term]) => term)
    .sort();
}

/** Builds the index from runbooks sorted by id, so the same runbooks always give the same index. */
export function buildSearchIndex(runbooks: readonly Runbook[]): MiniSearch<IndexedRunbook> {
  const index = new MiniSearch<IndexedRunbook>(INDEX_OPTIONS);
  index.addAll([...runbooks].sort((a, b) => a.id.localeCompare(b.id)).map(toIndexed));
  return index;
}
