import type { KnowledgeGapStore } from '../../aws/knowledge-gap-store';
import type { RemediationStore } from '../../aws/remediation-store-types';
import type { LastScan } from './home-view';

/**
 * What App Home reads, and where knowledge gaps are recorded. Built by `createSlackDeps` from the configuration:
 * the shared table in Lambda, memory locally (then "recent requests" only knows this process's requests).
 */
export interface AppHomeSources {
  operators: readonly string[];
  allowTag: { key: string; value: string };
  requests: Pick<RemediationStore, 'listRecentAudits'>;
  gaps: KnowledgeGapStore;
  /** The last scan's summary (lambda/remediation/scan/), scheduled or on demand; absent or undefined: none yet. */
  lastScan?: () => Promise<LastScan | undefined>;
  /** The schedule's expression when the stack set one up (SHIM_FIX_SCAN_SCHEDULE); absent: "not set up". */
  scanSchedule?: string;
}

/** How many requests App Home lists. */
export const RECENT_REQUESTS = 10;
/** How many knowledge-gap groups it shows. */
export const GAP_GROUPS = 5;
