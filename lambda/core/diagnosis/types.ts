import type { Runbook } from '../knowledge/runbook';

/**
 * `channel`: the bot was not asked, so it answers only when confident.
 * `direct`: someone asked (mention, DM, shortcut, CLI): always answer, with candidates when unsure.
 */
export type DiagnoseMode = 'channel' | 'direct';

/** Why a runbook was suggested: the line of the paste that matched one of its signatures. */
export interface Evidence {
  /** The matching line of the normalised paste, shortened to at most 300 characters around the match. */
  line: string;
  /** The exact text the signature matched. */
  match: string;
  pattern: string;
  weight: number;
  description?: string;
  /** A version hint (`containerd v2.0.1`): it never adds to the confidence, it only breaks ties. */
  hint?: true;
}

export interface Candidate {
  runbook: Runbook;
  /** 0..1, absolute: the same paste gets the same confidence for this runbook whatever else the knowledge base holds. */
  confidence: number;
  evidence: Evidence[];
}

/** The one check that tells two equally likely runbooks apart. */
export interface Discriminator {
  command: string;
  /** What each outcome means, in English and Chinese. */
  explain: string;
  explainZh: string;
}

/** Two runbooks the evidence fits equally: one answer names both and the command that tells them apart. */
export interface AmbiguousPair {
  candidates: [Candidate, Candidate];
  /** Confidence that one of the two is the answer. */
  confidence: number;
  /** Null when no known check separates them: then each runbook's Verify step does. */
  discriminator: Discriminator | null;
}

/** What an over-long paste lost: the answer says so. */
export interface OmittedInput {
  chars: number;
  lines: number;
  inputChars: number;
}

export interface Diagnosis {
  mode: DiagnoseMode;
  /** The answer, or null when no candidate reached the threshold or two fit equally (channel and direct mode alike). */
  runbook: Runbook | null;
  /** Confidence of the answer: the best candidate's, or the pair's when ambiguous (0 when there is none), 0..1. */
  confidence: number;
  /** Whether the answer reached the threshold: `runbook` is set, or `ambiguous` and the pair together reached it. */
  confident: boolean;
  /** Whether the bot should speak: always true in direct mode, `confident` in channel mode. */
  shouldAnswer: boolean;
  /** True when the evidence fits two runbooks equally: `pair` names both; `runbook` is null. */
  ambiguous: boolean;
  pair: AmbiguousPair | null;
  /** Best candidates first, at most five, including the answer. */
  candidates: Candidate[];
  /** Evidence for the answer (empty when `runbook` is null). */
  evidence: Evidence[];
  /** `zh` when the paste's prose is mostly Chinese: answers then lead with `summaryZh`. */
  language: 'en' | 'zh';
  /** Set when the paste was longer than the engine reads; the part holding the error was read (see `omitted`). */
  truncated: boolean;
  /** What was left out of an over-long paste, or null. */
  omitted: OmittedInput | null;
  /** Direct mode without a confident answer: what the paste lacks (full error line, journal, versions). */
  missing: MissingInput[];
}

/** What a paste without a confident match lacks; the answer asks for it. */
export type MissingInput = 'error-line' | 'journal' | 'versions';

export interface SearchHit {
  runbook: Runbook;
  /** MiniSearch score, only meaningful relative to other hits of the same query. */
  score: number;
}

/** The pure engine the Slack listeners, the CLI and the benchmarks call. */
export interface Diagnoser {
  diagnose(text: string, options?: { mode?: DiagnoseMode }): Diagnosis;
  search(query: string, options?: { limit?: number }): SearchHit[];
  runbook(id: string): Runbook | undefined;
  runbooks(): readonly Runbook[];
}
