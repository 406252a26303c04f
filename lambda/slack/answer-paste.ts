import type { WebClient } from '@slack/web-api';
import type { DiagnoseMode, Diagnosis } from '../core/diagnosis/types';
import { recordGap } from './app-home/record-gap';
import { buildAnswerCard } from './blocks/answer-card';
import type { SlackMessage } from './blocks/limits';
import { buildNoMatchCard } from './blocks/no-match-card';
import { dedupeKey } from './dedupe-key';
import { classifyPostFailure } from './post-outcome';
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
  /** The post may have reached Slack (timeout, connection reset): counted as posted, never sent twice. */
  | { kind: 'answer_unconfirmed'; diagnosis: Diagnosis }
  | { kind: 'silent'; diagnosis: Diagnosis }
  | { kind: 'duplicate_delivery' }
  | { kind: 'already_answered' }
  | { kind: 'not_in_channel' };

/** Slack errors that mean "the bot is not a member here", where the user has to invite it. */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found']);

/**
 * How long a claim on an answer stays pending before a later delivery may take it over. It must outlast the Slack
 * handler's timeout (10 s, infra/shim-fix-stack.ts), so a slow but living invocation is never overtaken; Slack's
 * retries come after about 1 and 5 minutes, so a cut-off invocation's retry finds the lease run out.
 */
export const ANSWER_LEASE_SECONDS = 30;

/**
 * Diagnoses a paste and, when the diagnosis says to speak, posts exactly one answer to `target`.
 * Diagnosis runs first (pure and fast) so chatty channels cost no DynamoDB write; the claims come before the
 * post, so a re-delivered event or a second listener for the same message never posts twice.
 *
 * The claims are leased ({@link ANSWER_LEASE_SECONDS}) and completed after the post: when the invocation dies in
 * between, Slack's next delivery takes them over and answers. When the post surely failed they are released at once;
 * when it may have reached Slack (`classifyPostFailure`) they are completed, so Slack's re-delivery never posts again.
 * When the store cannot be reached the answer goes out anyway (fail open, with a warning): a rare second copy of
 * an answer costs less than silence during a DynamoDB incident. Nothing here acts on a host.
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

  const claims = await claimAnswer(deps, { eventId, replyKey: dedupeKey('reply', target.channel, target.messageTs), trigger });
  if (claims.kind !== 'claimed') {
    if (claims.kind === 'duplicate_delivery') deps.logger.info('duplicate event delivery ignored', { trigger, eventId });
    else deps.logger.info('message already answered', { trigger, channel: target.channel, messageTs: target.messageTs });
    return { kind: claims.kind };
  }

  // Asked directly and no confident runbook: a knowledge gap for App Home, written alongside the post (never fails).
  const gap = mode === 'direct' && !diagnosis.runbook ? recordGap(deps, text, 'abstained') : undefined;
  const message = answerMessage(deps, diagnosis);
  let response: Awaited<ReturnType<WebClient['chat']['postMessage']>>;
  try {
    response = await client.chat.postMessage({
      channel: target.channel,
      ...(target.threadTs !== undefined ? { thread_ts: target.threadTs } : {}),
      text: message.text,
      blocks: message.blocks,
      // The sources are links to long GitHub pages: previews would bury the answer.
      unfurl_links: false,
      unfurl_media: false,
    });
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.posted === 'maybe') {
      // Slack may have posted it (it was slow, or the connection broke after the request went out): a second post
      // would be a duplicate answer, so this one counts as posted and Slack's re-delivery finds the claims done.
      deps.logger.warn('answer may have been posted: counted as posted, not sent again', { event: 'answer_unconfirmed', trigger, reason: failure.reason });
      await completeClaims(deps, claims.keys);
      return { kind: 'answer_unconfirmed', diagnosis };
    }
    await Promise.all(claims.keys.map((key) => deps.idempotency.release(key).catch(() => undefined)));
    if (NOT_IN_CHANNEL.has(slackErrorCode(error) ?? '')) return { kind: 'not_in_channel' };
    throw error;
  }
  deps.logger.info('answer posted', {
    event: 'answer_posted',
    trigger,
    mode,
    runbook: diagnosis.runbook?.id ?? null,
    confidence: diagnosis.confidence,
    language: diagnosis.language,
    channel: target.channel,
    deduplicated: claims.keys.length > 0,
  });
  await Promise.all([completeClaims(deps, claims.keys), gap]);
  return { kind: 'answered', diagnosis, ts: response.ts };
}

/** Best effort: if this fails the lease runs out, and only a Slack retry (sent when Slack got no 200) could answer again. */
async function completeClaims(deps: SlackDeps, keys: string[]): Promise<void> {
  await Promise.all(
    keys.map((key) => deps.idempotency.complete(key).catch((error: unknown) => deps.logger.warn('could not mark the answer done', { key, error: describeError(error) }))),
  );
}

type AnswerClaims = { kind: 'claimed'; keys: string[] } | { kind: 'duplicate_delivery' } | { kind: 'already_answered' };

/**
 * Claims the delivery (`event:<event_id>`) and the message (`reply:<channel>:<ts>`). A store that cannot be reached
 * is asked once, not twice: the first failure switches to answering without deduplication.
 */
async function claimAnswer(deps: SlackDeps, { eventId, replyKey, trigger }: { eventId?: string; replyKey: string; trigger: string }): Promise<AnswerClaims> {
  const keys: string[] = [];
  const lease = { leaseSeconds: ANSWER_LEASE_SECONDS };
  try {
    if (eventId !== undefined) {
      const eventKey = dedupeKey('event', eventId);
      if (!(await deps.idempotency.claim(eventKey, DEDUPE_TTL_SECONDS.event, lease))) return { kind: 'duplicate_delivery' };
      keys.push(eventKey);
    }
    if (!(await deps.idempotency.claim(replyKey, DEDUPE_TTL_SECONDS.reply, lease))) {
      // Another listener or delivery holds the message: give the delivery back (it did nothing) and stay quiet.
      await Promise.all(keys.map((key) => deps.idempotency.release(key).catch(() => undefined)));
      return { kind: 'already_answered' };
    }
    keys.push(replyKey);
    return { kind: 'claimed', keys };
  } catch (error) {
    deps.logger.warn('idempotency store unavailable: answering without deduplication', {
      event: 'dedupe_fail_open',
      trigger,
      store: deps.idempotency.description,
      error: describeError(error),
    });
    // A claim that did land stays pending; its lease runs out on its own, so nothing has to be undone here.
    return { kind: 'claimed', keys: [] };
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
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
