import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { answerPaste } from '../answer-paste';
import { mrkdwn } from '../blocks/mrkdwn';
import { dedupeKey } from '../dedupe-key';
import { messageShortcutBody } from '../event-payloads';
import { readableMessageText } from '../message-text';
import { DEDUPE_TTL_SECONDS, type SlackDeps } from '../types';

export const SHORTCUT_COPY = {
  noText: mrkdwn`That message has no text I can read. Run *Diagnose with shim-fix* on the message that contains the error.`.text,
  alreadyAnswered: mrkdwn`I already answered this message: the diagnosis is in its thread.`.text,
  notInChannel: mrkdwn`I can’t post in this channel yet. Invite me with \`/invite @shim-fix\`, then run *Diagnose with shim-fix* again.`.text,
} as const;

/** Message shortcut "Diagnose with shim-fix": works on any message, answers in its thread (direct mode). */
export function diagnoseShortcutListener(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = messageShortcutBody.safeParse(body);
    if (!parsed.success) return;
    const { channel, message, trigger_id: triggerId } = parsed.data;
    // The same delivery twice (a retry) does nothing more; running the shortcut again is told it was answered.
    if (!(await deps.idempotency.claim(dedupeKey('shortcut', triggerId), DEDUPE_TTL_SECONDS.click))) return;
    const tell = async (text: string): Promise<void> => {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    };

    const text = readableMessageText(message);
    if (text.trim() === '') return tell(SHORTCUT_COPY.noText);
    const outcome = await answerPaste(deps, {
      text,
      mode: 'direct',
      client,
      trigger: 'shortcut',
      target: { channel: channel.id, messageTs: message.ts, threadTs: message.thread_ts ?? message.ts },
    });
    if (outcome.kind === 'already_answered') return tell(SHORTCUT_COPY.alreadyAnswered);
    if (outcome.kind === 'not_in_channel') return tell(SHORTCUT_COPY.notInChannel);
  };
}
