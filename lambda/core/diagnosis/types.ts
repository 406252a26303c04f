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
}

export interface Candidate {
  runbook: Runbook;
  /** 0..1 */
  confidence: number;
  evidence: Evidence[];
}

export interface Diagnosis {
  mode: DiagnoseMode;
  /** The answer, or null when no candidate reached the threshold (channel and direct mode alike). */
  runbook: Runbook | null;
  /** Confidence of the best candidate (0 when there is none), 0..1. */
  confidence: number;
  /** Whether the best candidate reached the threshold (then `runbook` is set). */
  confident: boolean;
  /** Whether the bot should speak: always true in direct mode, `runbook !== null` in channel mode. */
  shouldAnswer: boolean;
  /** Best candidates first, at most five, including the answer. */
  candidates: Candidate[];
  /** Evidence for the answer (empty when `runbook` is null). */
  evidence: Evidence[];
  /** `zh` when the paste's prose is mostly Chinese: answers then lead with `summaryZh`. */
  language: 'en' | 'zh';
  /** Set when the paste was longer than the engine reads; only the first part was read. */
  truncated: boolean;
}

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
