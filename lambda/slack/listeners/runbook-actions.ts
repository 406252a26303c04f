import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AnswerLanguage } from '../../core/diagnosis/answer-text';
import type { Runbook } from '../../core/knowledge/runbook';
import { buildAnswerCard, buildFullRunbookMessages } from '../blocks/answer-card';
import { languageOfBlockId } from '../blocks/block-language';
import { mrkdwn } from '../blocks/mrkdwn';
import { dedupeKey } from '../dedupe-key';
import { blockActionBody, type BlockActionBody } from '../event-payloads';
import { DEDUPE_TTL_SECONDS, type SlackDeps } from '../types';

export const RUNBOOK_ACTION_COPY = {
  unknownRunbook: mrkdwn`That runbook no longer exists. Run \`/shim-fix search <words>\` again for the current list.`.text,
  notInChannel: mrkdwn`I can’t post in this channel yet. Invite me with \`/invite @shim-fix\` and try again.`.text,
} as const;

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * "Post to channel" (search results) and "Show runbook" (no-match candidates): posts the runbook card where
 * the button was. From an ephemeral search result it goes to the channel through the response URL (works
 * even where the bot is not a member); from a bot message it goes into that message's thread.
 */
export function postRunbookListener(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: ActionArgs): Promise<void> => {
    await ack();
    const clicked = await claimRunbookClick(deps, body, respond);
    if (clicked === undefined) return;
    const { action, runbook } = clicked;

    const remediationEnabled = deps.remediation !== undefined;
    const { language } = action;
    if (action.ephemeral || action.channel === undefined || action.messageTs === undefined) {
      const card = buildAnswerCard({ runbook, remediationEnabled, sharedBy: action.user, language });
      await respond({ response_type: 'in_channel', replace_original: false, ...card });
    } else {
      const card = buildAnswerCard({ runbook, remediationEnabled, language });
      await client.chat.postMessage({
        channel: action.channel,
        thread_ts: action.threadTs ?? action.messageTs,
        ...card,
        unfurl_links: false,
        unfurl_media: false,
      });
    }
    deps.logger.info('runbook posted', { event: 'runbook_posted', runbook: runbook.id, from: action.ephemeral ? 'search' : 'candidates' });
  };
}

/** "Show full runbook": every section in full, only to the person who asked. */
export function showFullRunbookListener(deps: SlackDeps) {
  return async ({ ack, body, respond }: ActionArgs): Promise<void> => {
    await ack();
    const clicked = await claimRunbookClick(deps, body, respond);
    if (clicked === undefined) return;
    const { action, runbook } = clicked;
    // In order: the parts of a long runbook must not arrive shuffled.
    for (const message of buildFullRunbookMessages(runbook, action.language)) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    }
  };
}

/**
 * What both runbook buttons do first: read the click, find its runbook (or say it is gone), and claim the click so a
 * double click or a re-sent payload does nothing more. Undefined means: nothing (more) to do.
 */
async function claimRunbookClick(
  deps: SlackDeps,
  body: unknown,
  respond: ActionArgs['respond'],
): Promise<{ action: ParsedAction; runbook: Runbook } | undefined> {
  const action = parseAction(body);
  if (action === undefined) return undefined;
  const runbook = deps.diagnoser.runbook(action.value);
  if (runbook === undefined) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: RUNBOOK_ACTION_COPY.unknownRunbook });
    return undefined;
  }
  if (!(await deps.idempotency.claim(clickKey(action), DEDUPE_TTL_SECONDS.click))) return undefined;
  return { action, runbook };
}

export interface ParsedAction {
  actionId: string;
  value: string;
  user: string;
  channel?: string;
  messageTs?: string;
  threadTs?: string;
  ephemeral: boolean;
  /** The language of the card that was clicked (from its block id), so what the click posts reads the same. */
  language: AnswerLanguage;
}

export function parseAction(body: unknown): ParsedAction | undefined {
  const parsed = blockActionBody.safeParse(body);
  if (!parsed.success) return undefined;
  const data: BlockActionBody = parsed.data;
  const [action] = data.actions;
  if (action?.value === undefined || action.value === '') return undefined;
  return {
    actionId: action.action_id,
    value: action.value,
    user: data.user.id,
    channel: data.channel?.id,
    messageTs: data.container?.message_ts ?? data.message?.ts,
    threadTs: data.container?.thread_ts ?? data.message?.thread_ts,
    ephemeral: data.container?.is_ephemeral === true,
    language: languageOfBlockId(action.block_id),
  };
}

/** One effect per person, message and button: a double click or a re-sent payload does nothing more. */
export function clickKey(action: ParsedAction): string {
  return dedupeKey('click', action.user, action.channel ?? '-', action.messageTs ?? '-', action.actionId, action.value);
}
