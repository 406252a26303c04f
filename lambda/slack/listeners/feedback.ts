import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { mrkdwn } from '../blocks/mrkdwn';
import { IDS, type SlackDeps } from '../types';
import { clickKey, parseAction } from './runbook-actions';

export const FEEDBACK_COPY = {
  up: mrkdwn`Thanks, noted that this answer helped.`.text,
  down: mrkdwn`Thanks, noted that this answer missed. If you know the right fix, \`/shim-fix search <words>\` may find a closer runbook, and the runbook file is open for changes.`.text,
} as const;

/**
 * 👍/👎 under an answer: one structured log event per person and vote (the metric), and an ephemeral thank-you.
 */
export function feedbackListener(deps: SlackDeps) {
  return async ({ ack, body, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const action = parseAction(body);
    if (action === undefined) return;
    const vote = action.actionId === IDS.feedbackUp ? 'up' : 'down';
    if (!(await deps.idempotency.claim(clickKey(action), 24 * 60 * 60))) return;
    deps.logger.info('answer feedback', {
      event: 'answer_feedback',
      vote,
      runbook: action.value,
      user: action.user,
      channel: action.channel,
      messageTs: action.messageTs,
    });
    await respond({ response_type: 'ephemeral', replace_original: false, text: vote === 'up' ? FEEDBACK_COPY.up : FEEDBACK_COPY.down });
  };
}
