import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DYNAMO_CLIENT_OPTIONS } from '../../aws/dynamo-client-options';
import { InMemoryKnowledgeGapStore, type KnowledgeGapStore } from '../../aws/knowledge-gap-store';
import { InMemoryRemediationStore } from '../../aws/in-memory-remediation-store';
import { lazyAdapter } from '../../aws/lazy-adapter';
import type { RemediationStore } from '../../aws/remediation-store-types';
import type { Config } from '../../config';
import type { LastScanRecord } from '../../remediation/scan/scan-store';
import type { AppHomeSources } from './app-home-sources';
import type { LastScan } from './home-view';

/**
 * App Home's sources from the configuration. With a table both stores read it, loaded on first use (a paste, the
 * common request, never pays for the SDK); without one they live in memory, so locally "recent requests" only knows
 * this process's own requests once remediation shares the store (it does not yet: documented in docs/app-home.md).
 */
export function createAppHomeSources(config: Pick<Config, 'table' | 'operators' | 'allowTag'> & Partial<Pick<Config, 'scanSchedule'>>, dynamo?: DynamoDBClient): AppHomeSources {
  const table = config.table;
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point */
  const client = (): DynamoDBClient => {
    const { DynamoDBClient: Client } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
    dynamo ??= new Client({ ...DYNAMO_CLIENT_OPTIONS });
    return dynamo;
  };
  const requests: Pick<RemediationStore, 'listRecentAudits' | 'getLastScan'> =
    table === undefined
      ? new InMemoryRemediationStore()
      : lazyAdapter<RemediationStore>(() => {
          const { DynamoRemediationStore } = require('../../aws/remediation-store') as typeof import('../../aws/remediation-store');
          return new DynamoRemediationStore({ tableName: table, client: client() });
        });
  const gaps: KnowledgeGapStore =
    table === undefined
      ? new InMemoryKnowledgeGapStore()
      : lazyAdapter<KnowledgeGapStore>(
          () => {
            const { DynamoKnowledgeGapStore } = require('../../aws/knowledge-gap-store') as typeof import('../../aws/knowledge-gap-store');
            return new DynamoKnowledgeGapStore({ tableName: table, client: client() });
          },
          { description: `dynamodb:${table}` },
        );
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    operators: config.operators,
    allowTag: config.allowTag,
    requests,
    gaps,
    lastScan: async () => {
      const scan = await requests.getLastScan();
      return scan === undefined ? undefined : toLastScan(scan);
    },
    ...(config.scanSchedule !== undefined ? { scanSchedule: config.scanSchedule } : {}),
  };
}

/** The stored summary as App Home shows it: both failing kinds together. */
export function toLastScan(scan: LastScanRecord): LastScan {
  return {
    at: Date.parse(scan.completedAt),
    checked: scan.checked,
    stale: [...scan.staleDaemon, ...scan.shimNewer],
    staleTotal: scan.staleTotal,
    target: scan.target,
    unreachable: scan.unreachable,
    ...(scan.requestedBy !== undefined ? { requestedBy: scan.requestedBy } : {}),
  };
}
