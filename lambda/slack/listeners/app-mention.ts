import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { answerPaste } from '../answer-paste';
import { dedupeKey } from '../dedupe-key';
import { botUserIdOf, appMentionEvent, eventEnvelope } from '../event-payloads';
import { classifyPostFailure } from '../post-outcome';
import { mrkdwn } from '../blocks/mrkdwn';
import { DEDUPE_TTL_SECONDS, type SlackDeps } from '../types';

export const MENTION_HINT = mrkdwn`Paste the error after the mention (\`@shim-fix <error>\`), or use *⋯ More actions → Diagnose with shim-fix* on the message with the error.`.text;

/** `@shim-fix <error>`: always answer (direct mode), in the thread of the mention. */
export function appMentionListener(deps: SlackDeps) {
  return async ({ event, body, client, context }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = appMentionEvent.safeParse(event);
    if (!parsed.success) return;
    const mention = parsed.data;
    const botUserId = botUserIdOf(body, context.botUserId);
    if (mention.bot_id !== undefined || mention.user === undefined || mention.user === botUserId) return;

    const text = stripMention(mention.text, botUserId);
    const eventId = eventEnvelope.safeParse(body).data?.event_id;
    const target = { channel: mention.channel, messageTs: mention.ts, threadTs: mention.thread_ts ?? mention.ts };

    if (text === '') {
      // Nothing to diagnose: explain how to ask, once per mention.
      const replyKey = dedupeKey('reply', target.channel, target.messageTs);
      if (!(await deps.idempotency.claim(replyKey, DEDUPE_TTL_SECONDS.reply))) return;
      try {
        await client.chat.postMessage({ channel: target.channel, thread_ts: target.threadTs, text: MENTION_HINT });
      } catch (error) {
        // A hint that may have reached Slack keeps its claim: a re-delivery must not post it twice.
        if (classifyPostFailure(error).posted === 'maybe') return;
        await deps.idempotency.release(replyKey).catch(() => undefined);
        throw error;
      }
      return;
    }
    await answerPaste(deps, { text, mode: 'direct', client, eventId, trigger: 'app_mention', target });
  };
}

/** Removes the bot's own mention (or, when its id is unknown, a leading mention) from the text. */
export function stripMention(text: string, botUserId: string | undefined): string {
  const withoutMention =
    botUserId !== undefined ? text.split(`<@${botUserId}>`).join(' ') : text.replace(/^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>/, ' ');
  return withoutMention.trim();
}
