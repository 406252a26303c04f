import { handler } from '../../../lambda/handlers/slack';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { channelMessage, eventCallbackBody, functionUrlEvent, messageTs, TEST_BOT_USER_ID } from '../../helpers/slack-request';

const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const SHIM_PASTE = [
  '```',
  'Nov 10 12:00:01 node-7 dockerd[812]: time="2026-11-10T12:00:01Z" level=error msg="Handler for POST /v1.47/containers/abc/start returned error: failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented"',
  '```',
].join('\n');
const CHATTY = 'morning all, is the deploy window still 3pm today? the containerd upgrade went fine on staging';

let env: SlackHandlerEnvironment;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

async function deliver(event: Record<string, unknown>, headers: Record<string, string> = {}, body = eventCallbackBody(event)) {
  return handler(functionUrlEvent(body, { headers }), context);
}

describe('messages in channels', () => {
  test('a pasted shim-version error gets exactly one threaded Block Kit answer', async () => {
    // Prepare
    const message = channelMessage(SHIM_PASTE);

    // Act
    const response = await deliver(message);

    // Assess
    expect(response.statusCode).toBe(200);
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', thread_ts: message.ts });
    const blocks = posts[0]?.body.blocks as { type: string; text?: { text: string } }[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Containerd daemon older than its shim after an upgrade' } });
    expect(JSON.stringify(blocks)).toContain('sudo systemctl restart containerd');
    expect(blocks.at(-1)?.type).toBe('actions');
  });

  test('a chatty message that only mentions containerd gets no reply', async () => {
    // Act
    const response = await deliver(channelMessage(CHATTY));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(env.slack.calls()).toHaveLength(0);
  });

  test('a paste in a thread is answered in that thread', async () => {
    // Prepare
    const parent = messageTs();
    const reply = channelMessage(SHIM_PASTE, { thread_ts: parent });

    // Act
    await deliver(reply);

    // Assess
    expect(env.slack.calls('chat.postMessage').map((call) => call.body.thread_ts)).toEqual([parent]);
  });

  test('a private channel paste is answered like a public one', async () => {
    // Prepare
    const message = channelMessage(SHIM_PASTE, { channel: 'G0PRIVATE1', channel_type: 'group' });

    // Act
    await deliver(message);

    // Assess
    expect(env.slack.calls('chat.postMessage').map((call) => call.body.channel)).toEqual(['G0PRIVATE1']);
  });

  test.each([
    ['a bot message', { subtype: 'bot_message', bot_id: 'B0OTHER01', user: undefined }],
    ['its own message', { user: TEST_BOT_USER_ID, bot_id: 'B0TEST001' }],
    ['an edit', { subtype: 'message_changed' }],
    ['a join', { subtype: 'channel_join' }],
    ['a group DM (not subscribed)', { channel_type: 'mpim' }],
  ])('ignores %s, even when it contains the error', async (_name, extra) => {
    // Act
    await deliver(channelMessage(SHIM_PASTE, extra));

    // Assess
    expect(env.slack.calls()).toHaveLength(0);
  });

  test('a paste that mentions the bot is answered once, by the app_mention listener', async () => {
    // Prepare
    const message = channelMessage(`<@${TEST_BOT_USER_ID}> ${SHIM_PASTE}`);
    const mention = { ...message, type: 'app_mention' };
    delete (mention as Record<string, unknown>).channel_type;

    // Act
    await Promise.all([deliver(message), deliver(mention)]);

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.thread_ts).toBe(message.ts);
  });
});

describe('re-delivered events (idempotency against a DynamoDB-compatible server)', () => {
  test('a retry with x-slack-retry-num after the answer was posted does not answer again', async () => {
    // Prepare
    const body = eventCallbackBody(channelMessage(SHIM_PASTE));
    await deliver({}, {}, body);

    // Act
    const retry = await deliver({}, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }, body);

    // Assess
    expect(retry.statusCode).toBe(200);
    expect(env.slack.calls('chat.postMessage')).toHaveLength(1);
  });

  test('three deliveries of the same event at the same time produce one answer', async () => {
    // Prepare
    const body = eventCallbackBody(channelMessage(SHIM_PASTE));

    // Act
    const responses = await Promise.all([
      deliver({}, {}, body),
      deliver({}, { 'x-slack-retry-num': '1' }, body),
      deliver({}, { 'x-slack-retry-num': '2' }, body),
    ]);

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect(env.slack.calls('chat.postMessage')).toHaveLength(1);
  });

  test('when posting failed, the claim is released, Slack is asked to re-deliver (500) and its retry answers', async () => {
    // Prepare: every attempt of the first delivery fails (the client retries twice).
    const body = eventCallbackBody(channelMessage(SHIM_PASTE));
    env.slack.failNext('chat.postMessage', { status: 503 }, 3);
    const first = await deliver({}, {}, body);

    // Act
    const retry = await deliver({}, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' }, body);

    // Assess: a 200 would tell Slack the event was handled, and the answer would be lost.
    expect(first.statusCode).toBe(500);
    expect(retry.statusCode).toBe(200);
    const posts = env.slack.calls('chat.postMessage');
    expect(posts.map((call) => call.status)).toEqual([503, 503, 503, 200]);
  });

  test('a 429 with Retry-After is retried after the pause and still answers exactly once', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });

    // Act
    await deliver(channelMessage(SHIM_PASTE));

    // Assess
    expect(env.slack.calls('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
  });

  test('a Slack 5xx is retried by the client and answers once', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { status: 500 });

    // Act
    await deliver(channelMessage(SHIM_PASTE));

    // Assess
    expect(env.slack.calls('chat.postMessage').map((call) => call.status)).toEqual([500, 200]);
  });
});

describe('direct messages and mentions (direct mode)', () => {
  test('a DM with a paste is answered inline', async () => {
    // Prepare
    const dm = channelMessage(SHIM_PASTE, { channel: 'D0DIRECT01', channel_type: 'im' });

    // Act
    await deliver(dm);

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.channel).toBe('D0DIRECT01');
    expect(posts[0]?.body.thread_ts).toBeUndefined();
  });

  test('a DM the bot does not recognise still gets an answer: no confident match, with what to do next', async () => {
    // Prepare
    const dm = channelMessage('my pods are stuck ContainerCreating since this morning, any idea?', { channel: 'D0DIRECT01', channel_type: 'im' });

    // Act
    await deliver(dm);

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain('No confident match');
  });

  test('a mention with nothing after it explains how to ask', async () => {
    // Prepare
    const ts = messageTs();
    const mention = { type: 'app_mention', channel: 'C0CHANNEL1', user: 'U0PERSON01', text: `<@${TEST_BOT_USER_ID}>`, ts, event_ts: ts };

    // Act
    await deliver(mention);

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(String(posts[0]?.body.text)).toContain('Diagnose with shim-fix');
  });
});
