import type { WebClient } from '@slack/web-api';
import type { DiagnoseMode, Diagnosis } from '../core/diagnosis/types';
import { buildAnswerCard } from './blocks/answer-card';
import type { SlackMessage } from './blocks/limits';
import { buildNoMatchCard } from './blocks/no-match-card';
import { DEDUPE_TTL_SECONDS, type SlackDeps } from './types';

/** Where an answer goes: the message it answers, and the thread to put it in (undefined = the DM itself). */
export interface AnswerTarget {
  channel: string;
  /** ts of the message being answered: one answer per message, whichever listener gets there first. */
  messageTs: string;
  threadTs?: string;
}

export interface AnswerPasteInput {
  text: string;
  mode: DiagnoseMode;
  target: AnswerTarget;
  client: WebClient;
  /** Events API `event_id`, for deduplicating re-deliveries; absent for shortcuts. */
  eventId?: string;
  /** What triggered the answer, for the log: `channel_message`, `direct_message`, `app_mention`, `shortcut`. */
  trigger: string;
}

export type AnswerOutcome =
  | { kind: 'answered'; diagnosis: Diagnosis; ts?: string }
  | { kind: 'silent'; diagnosis: Diagnosis }
  | { kind: 'duplicate_delivery' }
  | { kind: 'already_answered' }
  | { kind: 'not_in_channel' };

/** Slack errors that mean "the bot is not a member here", where the user has to invite it. */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found']);

/**
 * Diagnoses a paste and, when the diagnosis says to speak, posts exactly one answer to `target`.
 * Diagnosis runs first (pure and fast) so chatty channels cost no DynamoDB write; the claims come before the
 * post, so a re-delivered event or a second listener for the same message never posts twice. When the post
 * fails the claims are released, so Slack's next delivery can answer.
 *
 * @example
 * await answerPaste(deps, { text: event.text, mode: 'channel', target: { channel, messageTs: ts, threadTs: ts }, client, eventId, trigger: 'channel_message' });
 */
export async function answerPaste(deps: SlackDeps, input: AnswerPasteInput): Promise<AnswerOutcome> {
  const { text, mode, target, client, eventId, trigger } = input;
  const diagnosis = deps.diagnoser.diagnose(text, { mode });
  if (!diagnosis.shouldAnswer) {
    deps.logger.debug('paste below the channel threshold, staying silent', { trigger, confidence: diagnosis.confidence });
    return { kind: 'silent', diagnosis };
  }

  const claimed: string[] = [];
  if (eventId !== undefined) {
    const eventKey = `event:${eventId}`;
    if (!(await deps.idempotency.claim(eventKey, DEDUPE_TTL_SECONDS.event))) {
      deps.logger.info('duplicate event delivery ignored', { trigger, eventId });
      return { kind: 'duplicate_delivery' };
    }
    claimed.push(eventKey);
  }
  const replyKey = `reply:${target.channel}:${target.messageTs}`;
  if (!(await deps.idempotency.claim(replyKey, DEDUPE_TTL_SECONDS.reply))) {
    deps.logger.info('message already answered', { trigger, channel: target.channel, messageTs: target.messageTs });
    return { kind: 'already_answered' };
  }
  claimed.push(replyKey);

  const message = answerMessage(deps, diagnosis);
  try {
    const response = await client.chat.postMessage({
      channel: target.channel,
      ...(target.threadTs !== undefined ? { thread_ts: target.threadTs } : {}),
      text: message.text,
      blocks: message.blocks,
      // The sources are links to long GitHub pages: previews would bury the answer.
      unfurl_links: false,
      unfurl_media: false,
    });
    deps.logger.info('answer posted', {
      event: 'answer_posted',
      trigger,
      mode,
      runbook: diagnosis.runbook?.id ?? null,
      confidence: diagnosis.confidence,
      language: diagnosis.language,
      channel: target.channel,
    });
    return { kind: 'answered', diagnosis, ts: response.ts };
  } catch (error) {
    await Promise.all(claimed.map((key) => deps.idempotency.release(key).catch(() => undefined)));
    if (NOT_IN_CHANNEL.has(slackErrorCode(error) ?? '')) return { kind: 'not_in_channel' };
    throw error;
  }
}

export function answerMessage(deps: Pick<SlackDeps, 'remediation'>, diagnosis: Diagnosis): SlackMessage {
  return diagnosis.runbook
    ? buildAnswerCard({ runbook: diagnosis.runbook, diagnosis, remediationEnabled: deps.remediation !== undefined })
    : buildNoMatchCard(diagnosis);
}

/** The `error` field of a Slack Web API platform error (`not_in_channel`, `invalid_blocks`, …). */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
