import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { mrkdwn } from '../blocks/mrkdwn';
import { IDS, type SlackDeps } from '../types';
import { recordGap } from '../app-home/record-gap';
import { clickKey, parseAction, type ParsedAction } from './runbook-actions';

export const FEEDBACK_COPY = {
  up: mrkdwn`Thanks, noted that this answer helped.`.text,
  down: mrkdwn`Thanks, noted that this answer missed. If you know the right fix, \`/shim-fix search <words>\` may find a closer runbook, and the runbook file is open for changes.`.text,
} as const;

/**
 * 👍/👎 under an answer: one structured log event per person and vote (the metric), and an ephemeral thank-you.
 */
export function feedbackListener(deps: SlackDeps) {
  return async ({ ack, body, respond, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
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
    if (vote === 'down') await recordDownvote(deps, client, action);
  };
}

/**
 * A 👎 is a knowledge gap for App Home: the paste is the thread's parent (answers are posted in the paste's thread).
 * A DM answered in place has no thread: its paste is the newest message from a person before the answer. After the
 * thank-you, and never failing: the vote is already logged.
 */
async function recordDownvote(deps: SlackDeps, client: WebClient, action: ParsedAction): Promise<void> {
  if (deps.appHome === undefined || action.channel === undefined) return;
  try {
    const paste = await pasteOf(client, action.channel, action);
    if (paste !== undefined) await recordGap(deps, paste, 'downvoted', action.value);
  } catch (error) {
    deps.logger.warn('could not read the paste of a 👎 answer', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** How many messages before an in-place answer are looked through for the person's paste. */
const IN_PLACE_LOOKBACK = 5;

async function pasteOf(client: WebClient, channel: string, { threadTs, messageTs }: ParsedAction): Promise<string | undefined> {
  if (threadTs !== undefined) {
    const replies = await client.conversations.replies({ channel, ts: threadTs, limit: 1, inclusive: true });
    const parent = replies.messages?.[0]?.text;
    return typeof parent === 'string' ? parent : undefined;
  }
  if (messageTs === undefined) return undefined;
  // Newest first, strictly before the answer; the bot's own earlier answers are skipped.
  const history = await client.conversations.history({ channel, latest: messageTs, inclusive: false, limit: IN_PLACE_LOOKBACK });
  const paste = history.messages?.find((message) => message.bot_id === undefined && typeof message.text === 'string' && message.text.trim() !== '');
  return paste?.text;
}
