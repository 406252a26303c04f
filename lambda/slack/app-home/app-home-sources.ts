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
  /** The scheduled scan's last result (issue 13 point 3, not built yet): absent means "not set up". */
  lastScan?: () => Promise<LastScan | undefined>;
}

/** How many requests App Home lists. */
export const RECENT_REQUESTS = 10;
/** How many knowledge-gap groups it shows. */
export const GAP_GROUPS = 5;
