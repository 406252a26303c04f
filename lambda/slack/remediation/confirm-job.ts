import type { RemediationStore } from '../../aws/remediation-store-types';
import { ErrorCode, isCodedError } from '../../core/errors';
import type { AppLogger } from '../../logger';
import type { ConfirmJob, JobChat, PlanCheckJob, RemediationJob } from '../../remediation/jobs';
import type { ConfirmOutcome, RemediationService, StatusPublisher } from '../../remediation/remediation-service';
import { slackErrorCode } from '../answer-paste';
import { runCheckFirstJob } from './check-first-job';
import { runScanJob, runScanRestartJob } from './scan-job';
import type { FleetCheckStarter } from '../../remediation/fleet/types';
import type { FleetService } from '../../remediation/fleet/fleet-service';
import { runFleetWaveJob } from './fleet-wave-job';
import { buildPlanCard, buildPlanOutcome } from './plan-card';
import { buildStatusMessage } from './status-message';

export const CONFIRM_JOB_COPY = {
  notInChannel:
    'Nothing ran: shim-fix cannot post the status message in this channel. Invite it with `/invite @shim-fix`, then run the command again.',
  storeUnavailable:
    'shim-fix cannot reach its table (DynamoDB) right now, so it refuses rather than risk restarting a runtime twice. Nothing ran. Try again in a few minutes.',
  failed: 'Something went wrong before the command was sent, so nothing ran. Run the command again; if it keeps failing, ask the shim-fix admin to check the logs.',
} as const;

export interface JobDeps {
  service: RemediationService;
  store: RemediationStore;
  logger: AppLogger;
  /** The fleet flow's starter (scans and the scan report's restart button); absent where it is not wired. */
  fleet?: FleetCheckStarter;
  /** The fleet flow posting with this job's chat (wins over `fleet`): checks, waves, cards (create-remediation.ts). */
  fleetFor?: (chat: JobChat) => FleetService;
}

/** Runs one handed-over job (the remediation worker in Lambda, the in-process queue locally). */
export async function runRemediationJob(job: RemediationJob, chat: JobChat, deps: JobDeps): Promise<void> {
  const fleetService = deps.fleetFor?.(chat);
  const fleet = fleetService ?? deps.fleet;
  if (job.kind === 'check-first') await runCheckFirstJob(job, { service: deps.service, chat, logger: deps.logger, ...(fleet ? { fleet } : {}) });
  else if (job.kind === 'plan-check') await runPlanCheckJob(job, chat, deps);
  else if (job.kind === 'scan') await runScanJob(job, chat, { fleet, store: deps.store, logger: deps.logger });
  else if (job.kind === 'scan-restart') await runScanRestartJob(job, chat, { fleet, store: deps.store, logger: deps.logger });
  else if (job.kind === 'fleet-wave') await runFleetWaveJob(job, fleetService, deps.logger);
  else await runConfirmJob(job, chat, deps);
}

/**
 * `/shim-fix check <target>` and the modal: plans the read-only check and shows its card (or the refusal) to the
 * requester — ephemeral in the channel (and the modal's thread), or in the user's DM when the modal had no channel.
 */
export async function runPlanCheckJob(job: PlanCheckJob, chat: JobChat, deps: JobDeps): Promise<void> {
  const tell = async (message: { text: string; blocks?: unknown[] }): Promise<void> => {
    if (job.channelId === job.userId) await chat.postMessage({ channel: job.userId, ...message });
    else await chat.postEphemeral({ channel: job.channelId, user: job.userId, ...(job.threadTs ? { thread_ts: job.threadTs } : {}), ...message });
  };
  try {
    const outcome = await deps.service.plan({ userId: job.userId, channelId: job.channelId, action: 'check', targetText: job.targetText });
    await tell(outcome.kind === 'plan' ? buildPlanCard(outcome.plan, outcome.summary) : buildPlanOutcome(outcome.message));
  } catch (error) {
    deps.logger.error('check plan failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    await tell(buildPlanOutcome(isCodedError(error) && error.code === ErrorCode.RemediationStoreFailed ? CONFIRM_JOB_COPY.storeUnavailable : CONFIRM_JOB_COPY.failed));
  }
}

/**
 * The send of a Confirm claimed in Slack's request: re-check, post the public status message, SendCommand once, then
 * tell the requester (ephemeral) what happened. A repeated job for the same request tells nobody anything.
 */
export async function runConfirmJob(job: ConfirmJob, chat: JobChat, deps: JobDeps): Promise<void> {
  const tell = (text: string) => chat.postEphemeral({ channel: job.channelId, user: job.userId, ...buildPlanOutcome(text) });
  let outcome: ConfirmOutcome;
  try {
    outcome = await deps.service.sendConfirmed({ ...job, publisher: statusPublisher(deps.store, chat) });
  } catch (error) {
    const code = slackErrorCode(error);
    deps.logger.error('confirm failed', { requestId: job.requestId, slackError: code, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    const text =
      code === 'not_in_channel' || code === 'channel_not_found'
        ? CONFIRM_JOB_COPY.notInChannel
        : isCodedError(error) && error.code === ErrorCode.RemediationStoreFailed
          ? CONFIRM_JOB_COPY.storeUnavailable
          : CONFIRM_JOB_COPY.failed;
    await tell(text);
    return;
  }
  if (outcome.kind === 'duplicate') return;
  await tell(await describeConfirm(outcome, chat));
}

/** How the service posts and updates the public status message of a request. */
export function statusPublisher(store: RemediationStore, chat: Pick<JobChat, 'postMessage' | 'update'>): StatusPublisher {
  return {
    post: async (requestId) => {
      const audit = await store.getAudit(requestId);
      if (!audit) throw new Error(`no audit record ${requestId}`);
      const posted = await chat.postMessage({ channel: audit.channelId, ...buildStatusMessage(audit) });
      if (!posted.ts || !posted.channel) throw new Error('chat.postMessage returned no ts');
      return { channel: posted.channel, ts: posted.ts };
    },
    refresh: async (requestId) => {
      const audit = await store.getAudit(requestId);
      if (!audit?.statusMessage) return;
      await chat.update({ channel: audit.statusMessage.channel, ts: audit.statusMessage.ts, ...buildStatusMessage(audit) });
    },
  };
}

/** What the requester reads about a Confirm (the card itself was already replaced when it was clicked). */
export async function describeConfirm(outcome: Exclude<ConfirmOutcome, { kind: 'duplicate' }>, chat: Pick<JobChat, 'getPermalink'>): Promise<string> {
  switch (outcome.kind) {
    case 'sent':
      return outcome.warning
        ? `Sent, with a problem. ${outcome.warning}`
        : `Sent. Command \`${outcome.commandId}\` (request \`${outcome.requestId}\`); follow ${await link(chat, outcome.statusMessage, 'its status message')} for the result.`;
    case 'locked':
      return outcome.statusMessage ? `${outcome.message} Its status: ${await link(chat, outcome.statusMessage, 'the running request')}.` : outcome.message;
    case 'refused':
    case 'failed':
      return outcome.message;
  }
}

/** A permalink when Slack gives one; the plain words otherwise (the link is a convenience). */
async function link(chat: Pick<JobChat, 'getPermalink'>, message: { channel: string; ts: string }, label: string): Promise<string> {
  try {
    const { permalink } = await chat.getPermalink({ channel: message.channel, message_ts: message.ts });
    return permalink ? `<${permalink}|${label}>` : label;
  } catch {
    return label;
  }
}
