import fc from 'fast-check';
import { SLACK_LIMITS, messageChars } from '../../lambda/slack/blocks/limits';
import { channelMessage, eventCallbackBody, functionUrlEvent, messageTs, TEST_BOT_USER_ID } from '../helpers/slack-request';
import { badInputCase } from '../reliability/bad-input-cases';
import { anyHostileText, oversizedText, wrongType } from './support/hostile';
import { startSlackHarness, type SlackHarness } from './support/slack-harness';

/** Events API input (messages, DMs, thread replies, app mentions) through the real Lambda handler, signed. */
let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness();
});
afterAll(() => harness.stop());
beforeEach(() => harness.reset());

const CONVERSATIONS = [
  { channel: 'C0CHANNEL1', channel_type: 'channel' },
  { channel: 'G0PRIVATE1', channel_type: 'group' },
  { channel: 'D0DIRECT01', channel_type: 'im' },
] as const;

/** A person's message or mention, in any conversation, maybe a thread reply, carrying `text`. */
function personEvent(kind: 'message' | 'app_mention', text: string, where: (typeof CONVERSATIONS)[number], inThread: boolean): Record<string, unknown> {
  const thread = inThread ? { thread_ts: messageTs() } : {};
  if (kind === 'app_mention') {
    const ts = messageTs();
    return { type: 'app_mention', channel: where.channel, user: 'U0PERSON02', text: `<@${TEST_BOT_USER_ID}> ${text}`, ts, event_ts: ts, ...thread };
  }
  return channelMessage(text, { channel: where.channel, channel_type: where.channel_type, user: 'U0PERSON02', ...thread });
}

const personEventArb = fc.record({
  kind: fc.constantFrom('message' as const, 'app_mention' as const),
  where: fc.constantFrom(...CONVERSATIONS),
  inThread: fc.boolean(),
});

function posts(): Array<Record<string, unknown>> {
  return harness.slack.calls('chat.postMessage').map((call) => call.body);
}

describe('Slack events with bad input', () => {
  test('hostile text in messages, DMs and mentions is answered at most once and never echoes a mention', async () => {
    const hostile = badInputCase('input-events-hostile-text');
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(personEventArb, anyHostileText, async ({ kind, where, inThread }, text) => {
        // Prepare
        harness.reset();
        const event = personEvent(kind, text, where, inThread);

        // Act
        const response = await harness.send(functionUrlEvent(eventCallbackBody(event)));

        // Assess
        expect(response.statusCode).toBe(200);
        expect(harness.unhandled).toEqual([]);
        expect(harness.crashes()).toEqual([]);
        expect(harness.echoedMentions()).toEqual([]);
        const replies = posts();
        expect(replies.length).toBeLessThanOrEqual(1);
        if (replies[0] && where.channel_type !== 'im') expect(replies[0].thread_ts).toBe(inThread ? event.thread_ts : event.ts);
        answered += replies.length;
      }),
      { numRuns: hostile.count },
    );
    // Most inputs carry a real error, so the posting path (where an echo would happen) was exercised.
    expect(answered).toBeGreaterThan(hostile.count / 3);
  });

  test('pastes over 40,000 characters get one answer within Slack’s limits', async () => {
    const oversized = badInputCase('input-events-oversized');
    await fc.assert(
      fc.asyncProperty(personEventArb, oversizedText, async ({ kind, where, inThread }, text) => {
        // Prepare
        harness.reset();

        // Act
        const response = await harness.send(functionUrlEvent(eventCallbackBody(personEvent(kind, text, where, inThread))));

        // Assess
        expect(response.statusCode).toBe(200);
        expect(harness.unhandled).toEqual([]);
        expect(harness.crashes()).toEqual([]);
        expect(harness.echoedMentions()).toEqual([]);
        const replies = posts();
        // Asked directly (mention, DM) the bot always answers; in a channel it may stay silent.
        if (kind === 'app_mention' || where.channel_type === 'im') expect(replies).toHaveLength(1);
        for (const reply of replies) {
          const message = { text: String(reply.text), blocks: reply.blocks as never[] };
          expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
          expect(messageChars(message)).toBeLessThanOrEqual(SLACK_LIMITS.messageChars);
          for (const block of JSON.stringify(message.blocks).matchAll(/"text":"((?:[^"\\]|\\.)*)"/g)) {
            expect((JSON.parse(`"${block[1]}"`) as string).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
          }
        }
      }),
      { numRuns: oversized.count },
    );
  });

  test('wrong types in every event field get a 2xx or 400, never a 5xx', async () => {
    const wrongTypes = badInputCase('input-events-wrong-types');
    const eventFields = ['type', 'subtype', 'channel', 'channel_type', 'user', 'bot_id', 'bot_profile', 'text', 'ts', 'thread_ts', 'event_ts', 'blocks', 'files', 'edited', 'message'];
    const envelopeFields = ['event', 'event_id', 'authorizations', 'team_id', 'api_app_id', 'type', 'event_time', 'token', 'is_ext_shared_channel', 'event_context'];
    await fc.assert(
      fc.asyncProperty(
        personEventArb,
        fc.dictionary(fc.constantFrom(...eventFields), wrongType, { minKeys: 1, maxKeys: 4 }),
        fc.dictionary(fc.constantFrom(...envelopeFields), wrongType, { maxKeys: 2 }),
        async ({ kind, where, inThread }, eventOverrides, envelopeOverrides) => {
          // Prepare
          harness.reset();
          const event = { ...personEvent(kind, 'unsupported shim version (3): not implemented <!channel>', where, inThread), ...eventOverrides };
          const body = eventCallbackBody(event, envelopeOverrides);

          // Act
          const response = await harness.send(functionUrlEvent(body));

          // Assess
          expect([200, 400]).toContain(response.statusCode);
          expect(harness.unhandled).toEqual([]);
          expect(harness.crashes()).toEqual([]);
          expect(harness.echoedMentions()).toEqual([]);
          expect(posts().length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: wrongTypes.count },
    );
  });
});
