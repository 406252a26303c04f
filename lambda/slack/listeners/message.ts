import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { answerPaste } from '../answer-paste';
import { botUserIdOf, eventEnvelope, userMessageEvent, type UserMessageEvent } from '../event-payloads';
import type { SlackDeps } from '../types';

/**
 * Conversation types the bot reads messages in, each with the manifest event that delivers it. The listener
 * and the manifest test both read this table.
 */
export const MESSAGE_CHANNEL_TYPES = {
  channel: { event: 'message.channels', mode: 'channel' },
  group: { event: 'message.groups', mode: 'channel' },
  im: { event: 'message.im', mode: 'direct' },
} as const;

/**
 * `thread_broadcast` is a thread reply also sent to the channel, and `file_share` a message with a file attached
 * (the text people typed next to a screenshot): a person's message like any other. Every other subtype (edits,
 * deletions, joins, bot messages) is not a paste to answer.
 */
const ANSWERED_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/**
 * A message in a channel, private channel or DM: in channels answer only a confident diagnosis, in the
 * message's thread; in DMs always answer.
 */
export function messageListener(deps: SlackDeps) {
  return async ({ event, body, client, context }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = userMessageEvent.safeParse(event);
    if (!parsed.success) return;
    const message = parsed.data;
    const botUserId = botUserIdOf(body, context.botUserId);
    if (!isPersonsPaste(message, botUserId)) return;

    const channelType = channelTypeOf(message.channel_type);
    if (channelType === undefined) return;
    // A mention of the bot in a channel also arrives as app_mention, which answers in direct mode.
    if (channelType.mode === 'channel' && botUserId !== undefined && message.text?.includes(`<@${botUserId}>`)) return;

    const direct = channelType.mode === 'direct';
    const outcome = await answerPaste(deps, {
      text: message.text ?? '',
      mode: channelType.mode,
      client,
      eventId: eventEnvelope.safeParse(body).data?.event_id,
      trigger: direct ? 'direct_message' : 'channel_message',
      target: {
        channel: message.channel,
        messageTs: message.ts,
        // Channels: always in the message's thread. DMs: reply inline unless the paste is itself in a thread.
        threadTs: direct ? message.thread_ts : (message.thread_ts ?? message.ts),
      },
    });
    if (outcome.kind === 'not_in_channel') deps.logger.warn('cannot post in channel the message came from', { channel: message.channel });
  };
}

type ChannelType = (typeof MESSAGE_CHANNEL_TYPES)[keyof typeof MESSAGE_CHANNEL_TYPES];

/** Own keys only: a `channel_type` of `toString` must not find Object.prototype. */
function channelTypeOf(name: string | undefined): ChannelType | undefined {
  return name !== undefined && Object.hasOwn(MESSAGE_CHANNEL_TYPES, name) ? MESSAGE_CHANNEL_TYPES[name as keyof typeof MESSAGE_CHANNEL_TYPES] : undefined;
}

function isPersonsPaste(message: UserMessageEvent, botUserId: string | undefined): boolean {
  if (!ANSWERED_SUBTYPES.has(message.subtype)) return false;
  if (message.bot_id !== undefined || message.bot_profile !== undefined) return false;
  if (message.user === undefined || message.user === botUserId) return false;
  return (message.text ?? '').trim() !== '';
}
