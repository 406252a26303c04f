import fc from 'fast-check';
import { handler } from '../../../lambda/handlers/slack';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { eventCallbackBody, functionUrlEvent, interactiveBody, slashCommandBody, TEST_BOT_USER_ID } from '../../helpers/slack-request';

const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };

let env: SlackHandlerEnvironment;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await env.stop();
});
beforeEach(() => {
  env.slack.reset();
  unhandled.length = 0;
});

/** Lets pending promise callbacks run, so an unhandled rejection is reported before we look. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const words = fc.constantFrom('help', 'search', 'check', 'restart', 'HELP', 'serch', 'i-0123456789abcdef0', 'mi-0123456789abcdef0', 'tag:env=prod', 'i-', 'tag:', '?');
const slackText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.array(fc.oneof(words, fc.string({ maxLength: 20 })), { maxLength: 6 }).map((parts) => parts.join(' ')),
  fc.constantFrom('<!channel>', '<@U0BOSS001> restart', 'search <script>&amp;', 'search ' + 'a'.repeat(3000), '\u0000\u202e', '升级 containerd 以后'),
);
const ts = fc.oneof(fc.constantFrom('1700000000.000100', '1700000001.000200'), fc.string({ maxLength: 20 }));
const channel = fc.oneof(fc.constantFrom('C0CHANNEL1', 'G0PRIVATE1', 'D0DIRECT01'), fc.string({ maxLength: 12 }));

const eventPayload = fc.record(
  {
    type: fc.oneof(fc.constantFrom('message', 'app_mention', 'reaction_added', 'member_joined_channel', 'app_home_opened'), fc.string({ maxLength: 20 })),
    subtype: fc.constantFrom('bot_message', 'message_changed', 'thread_broadcast', 'channel_join', 'file_share'),
    channel,
    channel_type: fc.oneof(fc.constantFrom('channel', 'group', 'im', 'mpim', 'app_home', 'toString', '__proto__', 'constructor'), fc.string({ maxLength: 10 })),
    user: fc.oneof(fc.constantFrom('U0PERSON01', TEST_BOT_USER_ID), fc.string({ maxLength: 12 })),
    bot_id: fc.string({ maxLength: 12 }),
    text: fc.oneof(slackText, fc.constantFrom('failed to create task for container: unsupported shim version (3): not implemented')),
    ts,
    thread_ts: ts,
    extra: fc.anything({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

const actionPayload = fc.record(
  {
    type: fc.constantFrom('block_actions', 'message_action', 'shortcut', 'view_submission', 'block_suggestion'),
    callback_id: fc.constantFrom('diagnose_message', 'other'),
    trigger_id: fc.string({ maxLength: 20 }),
    user: fc.oneof(fc.record({ id: fc.constantFrom('U0PERSON01', 'x') }), fc.anything({ maxDepth: 1 })),
    channel: fc.oneof(fc.record({ id: channel }), fc.anything({ maxDepth: 1 })),
    team: fc.record({ id: fc.constantFrom('T0TEST001') }),
    message: fc.record({ ts, text: slackText }, { requiredKeys: [] }),
    container: fc.record({ message_ts: ts, is_ephemeral: fc.boolean() }, { requiredKeys: [] }),
    actions: fc.array(
      fc.record(
        {
          action_id: fc.constantFrom('runbook_post:shim-version-mismatch', 'runbook_post:nope', 'runbook_full', 'feedback_up', 'feedback_down', 'remediation_check_open', 'x'),
          value: fc.oneof(fc.constantFrom('shim-version-mismatch', 'nope', ''), fc.string({ maxLength: 30 })),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['type'] },
);

describe('the Slack handler under random input', () => {
  test('random /shim-fix text never gets a 5xx or leaves an unhandled rejection', async () => {
    await fc.assert(
      fc.asyncProperty(slackText, async (text) => {
        // Act
        const response = await handler(functionUrlEvent(slashCommandBody(text, env.slack.responseUrl()), FORM), context);
        await settle();

        // Assess
        expect(response.statusCode).toBeLessThan(500);
        expect(unhandled).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  test('random event payloads never get a 5xx or leave an unhandled rejection', async () => {
    await fc.assert(
      fc.asyncProperty(eventPayload, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (event, eventId) => {
        // Act
        const body = eventCallbackBody(event, eventId === undefined ? {} : { event_id: eventId });
        const response = await handler(functionUrlEvent(body), context);
        await settle();

        // Assess
        expect(response.statusCode).toBeLessThan(500);
        expect(unhandled).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  test('random interactivity payloads and arbitrary JSON bodies never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          actionPayload.map((payload) => ({ body: interactiveBody({ ...payload, response_url: env.slack.responseUrl() }), contentType: FORM.contentType })),
          fc.json({ maxDepth: 3 }).map((json) => ({ body: json, contentType: 'application/json' })),
          fc.string({ maxLength: 200 }).map((text) => ({ body: text, contentType: FORM.contentType })),
          // Repeated form fields arrive as arrays.
          fc.array(fc.constantFrom('command=%2Fshim-fix', 'text=help', 'text=search+x', 'user_id=U1', 'channel_id=C1', 'team_id=T1'), { minLength: 1, maxLength: 8 }).map((fields) => ({
            body: `${fields.join('&')}&response_url=${encodeURIComponent(env.slack.responseUrl())}`,
            contentType: FORM.contentType,
          })),
        ),
        async ({ body, contentType }) => {
          // Act
          const response = await handler(functionUrlEvent(body, { contentType }), context);
          await settle();

          // Assess
          expect(response.statusCode).toBeLessThan(500);
          expect([200, 400]).toContain(response.statusCode);
          expect(unhandled).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
