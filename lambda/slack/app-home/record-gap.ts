import { gapFromPaste, type GapReason } from '../../core/knowledge-gaps/gaps';
import type { SlackDeps } from '../types';

/**
 * Records a knowledge gap (redacted first error line) when App Home is wired. Never rejects and never throws:
 * a gap is a hint for maintainers, and losing one must not change or delay what the user gets beyond one write.
 */
export async function recordGap(deps: SlackDeps, paste: string, reason: GapReason, runbook?: string): Promise<void> {
  const store = deps.appHome?.gaps;
  if (store === undefined) return;
  try {
    const gap = gapFromPaste(paste, reason, Date.now(), runbook);
    if (gap !== undefined) await store.record(gap);
  } catch (error) {
    deps.logger.warn('could not record a knowledge gap', { reason, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}
