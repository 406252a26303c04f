import type { AppLogger } from '../../logger';
import type { CheckFirstJob, EphemeralPoster } from '../../remediation/jobs';
import { ErrorCode, isCodedError } from '../../core/errors';
import { buildPlanCard, buildPlanOutcome } from './plan-card';
import type { RemediationService } from '../../remediation/remediation-service';
import type { FleetCheckStarter } from '../../remediation/fleet/types';

export const CHECK_FIRST_COPY = {
  storeUnavailable:
    'shim-fix cannot reach its table (DynamoDB) right now, so it refuses rather than risk restarting a runtime twice. Nothing ran. Try again in a few minutes.',
  failed: 'Something went wrong before the check was sent, so nothing ran. Run the command again; if it keeps failing, ask the shim-fix admin to check the logs.',
} as const;

/**
 * Runs a check-first restart outside Slack's request: plan, then send the read-only check. The requester hears only
 * about what went wrong, or gets a fleet's plan card at once; an instance's card comes with the check's result.
 */
export async function runCheckFirstJob(job: CheckFirstJob, deps: { service: RemediationService; chat: EphemeralPoster; logger: AppLogger; fleet?: FleetCheckStarter }): Promise<void> {
  const tell = (message: { text: string; blocks?: unknown[] }) => deps.chat.postEphemeral({ channel: job.channelId, user: job.userId, ...message });
  try {
    const outcome = await deps.service.checkFirst({ ...job, ...(deps.fleet ? { fleet: deps.fleet } : {}) });
    if (outcome.kind === 'checking' || outcome.kind === 'fleet-checking') return;
    await tell(outcome.kind === 'plan' ? buildPlanCard(outcome.plan, outcome.summary) : buildPlanOutcome(outcome.message));
  } catch (error) {
    deps.logger.error('check-first job failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    await tell(buildPlanOutcome(isCodedError(error) && error.code === ErrorCode.RemediationStoreFailed ? CHECK_FIRST_COPY.storeUnavailable : CHECK_FIRST_COPY.failed));
  }
}
