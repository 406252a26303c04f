import type { KnownBlock } from '@slack/types';
import type { StatusMessageRef } from '../../aws/remediation-store-types';
import { type PlanNotice, type RemediationNotifier, type ThreadNotice } from '../../remediation/notifier';
import { applyStatusEvent, type StatusEventDeps, type StatusUpdateOutcome } from '../../remediation/status-events';
import type { SlackMessage } from '../blocks/limits';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { delivered } from './delivered';
import { buildEvidenceCard } from './evidence-card';
import { buildPlanOutcome } from './plan-card';
import { buildResultMessage } from './result-message';
import { buildStatusMessage } from './status-message';

export {
  claimResult,
  CommandNotRecordedYetError,
  ResultPostInProgressError,
  UNKNOWN_COMMAND_RETRY_WINDOW_MS,
  type StatusUpdateOutcome,
} from '../../remediation/status-events';

/** The Web API calls the status path makes (a WebClient's `chat` fits). */
export interface ChatWriter {
  update(args: { channel: string; ts: string; text: string; blocks: KnownBlock[] }): Promise<unknown>;
  postMessage(args: { channel: string; thread_ts: string; text: string; blocks: KnownBlock[] }): Promise<unknown>;
  /** The plan card of a check-first restart goes to the requester only. */
  postEphemeral?(args: { channel: string; user: string; text: string; blocks: KnownBlock[] }): Promise<unknown>;
}

/** The status path's dependencies as the handlers wire them: the remediation module's, with Slack as its notifier. */
export interface StatusUpdateDeps extends Omit<StatusEventDeps, 'notifier'> {
  chat: ChatWriter;
  /** Offer the Restart button under a check that found a stale daemon. */
  offerRestart: boolean;
}

/**
 * Applies one SSM status event (lambda/remediation/status-events.ts decides what happens) and shows it in Slack.
 *
 * @example
 * await handleCommandEvent(eventBridgeEvent, await buildStatusDeps());
 */
export function handleCommandEvent(raw: unknown, deps: StatusUpdateDeps): Promise<StatusUpdateOutcome> {
  return applyStatusEvent(raw, withSlackNotifier(deps));
}

/** The remediation module's dependencies, with a notifier that renders Block Kit and calls `chat.*`. */
export function withSlackNotifier(deps: StatusUpdateDeps): StatusEventDeps {
  const { chat, offerRestart, ...rest } = deps;
  return { ...rest, notifier: slackNotifier(chat, offerRestart) };
}

/** Renders what the status path decided to show and posts it: results and notices in the thread, plan cards ephemeral. */
export function slackNotifier(chat: ChatWriter, offerRestart: boolean): RemediationNotifier {
  const inThread = async (where: StatusMessageRef, message: SlackMessage): Promise<string> => {
    await delivered(chat.postMessage({ channel: where.channel, thread_ts: where.ts, text: message.text, blocks: message.blocks ?? [] }));
    return message.text;
  };
  return {
    async statusChanged(audit) {
      if (!audit.statusMessage) return;
      await chat.update({ channel: audit.statusMessage.channel, ts: audit.statusMessage.ts, ...buildStatusMessage(audit) });
    },
    resultReady: (where, result) => inThread(where, buildResultMessage({ ...result, offerRestart })),
    noticeInThread: (where, notice) => {
      const text = threadNoticeText(notice);
      return inThread(where, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
    },
    async planReady(audit, notice) {
      const message = planNoticeMessage(notice);
      if (!chat.postEphemeral) throw new Error('this status path cannot post ephemeral messages');
      await delivered(chat.postEphemeral({ channel: audit.channelId, user: audit.requestedBy, text: message.text, blocks: message.blocks ?? [] }));
      return message.text;
    },
  };
}

function planNoticeMessage(notice: PlanNotice): SlackMessage {
  switch (notice.kind) {
    case 'plan-gone':
      return buildPlanOutcome(`The check of \`${notice.instanceId}\` finished, but its restart plan is gone. Nothing was restarted. Run \`/shim-fix restart ${notice.instanceId}\` again.`);
    case 'check-unfinished':
      return buildPlanOutcome(
        `The check of \`${notice.instanceId}\` did not finish (${escapeMrkdwn(notice.reason)}), so shim-fix will not offer a restart. Nothing was restarted. Run \`/shim-fix check ${notice.instanceId}\` to see the output.`,
      );
    case 'plan-closed':
      return buildPlanOutcome(`The check of \`${notice.instanceId}\` finished after its restart plan was closed. Nothing was restarted. ${escapeMrkdwn(notice.sentence)}`);
    case 'evidence':
      return buildEvidenceCard(notice.plan, notice.evidence);
  }
}

function threadNoticeText(notice: ThreadNotice): string {
  switch (notice.kind) {
    case 'no-instances-in-tag':
      return `SSM found no instance carrying the tags of \`${notice.target}\` when the command ran, so nothing ran.`;
    case 'ran-nowhere':
      return `The command ended with SSM status ${notice.status} without running on any instance.`;
    case 'interrupted-before-send':
      return `:x: shim-fix was interrupted before it sent the command for request \`${notice.requestId}\`. Nothing ran. Run the command again for a fresh plan.`;
    case 'send-unconfirmed':
      return (
        `:grey_question: shim-fix could not confirm that SSM accepted the command for request \`${notice.requestId}\`, so it cannot tell whether it ran. ` +
        `Before trying again, look in Systems Manager > Run Command > Command history for the comment \`${notice.requestId}\`. ` +
        'The instance stays locked until its lock expires, so a second restart cannot overlap a first one.'
      );
    case 'lost-track':
      return (
        `:grey_question: shim-fix lost track of command \`${notice.commandId}\`: SSM reported no final status within ${notice.minutes} minutes. ` +
        'The outcome is unknown. Look it up in Systems Manager > Run Command before running it again; the instance lock is released.'
      );
  }
}
