import { logger } from '../logger';
import { oncePerInstance } from '../once-per-instance';
import { sweepInFlight, type SweepOptions, type SweepReport } from '../slack/remediation/sweep-in-flight';
import type { StatusUpdateDeps } from '../slack/remediation/status-updates';
import { buildStatusDeps } from './command-status';

/**
 * Third Lambda entry: an EventBridge schedule invokes it every few minutes to finish requests whose SSM status events
 * were lost (lambda/slack/remediation/sweep-in-flight.ts). It uses the status handler's configuration, permissions and
 * code path. A failed run is not retried by EventBridge: the next scheduled run is the retry.
 */
export function createCommandSweepHandler(buildDeps: () => Promise<StatusUpdateDeps>, options: SweepOptions = {}) {
  // Built once per cold start; a failed build is not kept, so the next run tries again.
  const deps = oncePerInstance(buildDeps);
  return async (_event: unknown, context: { awsRequestId?: string } | undefined): Promise<SweepReport> => {
    if (context?.awsRequestId) logger.appendKeys({ awsRequestId: context.awsRequestId });
    return sweepInFlight(await deps(), options);
  };
}

export const handler = createCommandSweepHandler(() => buildStatusDeps());
