import { firstErrorLine, groupKey } from './redact';

/** Why a paste is a knowledge gap: the bot had no confident runbook when asked directly, or someone voted 👎. */
export type GapReason = 'abstained' | 'downvoted';

/** One occurrence, as stored: already redacted, never the paste itself. */
export interface KnowledgeGap {
  /** {@link groupKey} of `line`. */
  key: string;
  /** The redacted first error-looking line. */
  line: string;
  reason: GapReason;
  /** Milliseconds since the epoch. */
  at: number;
  /** The runbook that got the 👎, if any. */
  runbook?: string;
}

/** How long a gap is kept: long enough to see a pattern, short enough that a paste does not linger. */
export const GAP_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** A gap for `paste`, or undefined when the paste has no line worth keeping. */
export function gapFromPaste(paste: string, reason: GapReason, at: number, runbook?: string): KnowledgeGap | undefined {
  const line = firstErrorLine(paste);
  if (line === undefined) return undefined;
  const key = groupKey(line);
  if (key === '') return undefined;
  return { key, line, reason, at, ...(runbook !== undefined ? { runbook } : {}) };
}

export interface GapGroup {
  key: string;
  /** The most recent line of the group (they differ only in what {@link groupKey} drops). */
  line: string;
  count: number;
  abstained: number;
  downvoted: number;
  lastSeen: number;
}

/** Groups occurrences by key, most frequent first (then most recent), at most `limit` groups. */
export function groupGaps(gaps: readonly KnowledgeGap[], limit = 5): GapGroup[] {
  const groups = new Map<string, GapGroup>();
  for (const gap of gaps) {
    const group = groups.get(gap.key) ?? { key: gap.key, line: gap.line, count: 0, abstained: 0, downvoted: 0, lastSeen: 0 };
    group.count += 1;
    if (gap.reason === 'abstained') group.abstained += 1;
    else group.downvoted += 1;
    if (gap.at >= group.lastSeen) {
      group.lastSeen = gap.at;
      group.line = gap.line;
    }
    groups.set(gap.key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen || a.key.localeCompare(b.key)).slice(0, limit);
}
