/** Longest paste the engine reads; Slack messages are at most 40,000 characters. */
export const MAX_INPUT_CHARS = 40_000;
/**
 * Signatures run line by line; longer lines are cut into windows of this size so that the work per
 * pattern stays proportional to the input, whatever the pattern.
 */
export const MAX_LINE_CHARS = 2_000;
/** Windows of an over-long line overlap by this much so that a match across a cut is not lost. */
export const LINE_OVERLAP_CHARS = 300;
