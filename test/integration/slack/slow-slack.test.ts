import { handler } from '../../../lambda/handlers/slack';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { channelMessage, eventCallbackBody, functionUrlEvent } from '../../helpers/slack-request';

/**
 * Issue 10 point 1: one paste, exactly one answer in its thread, whatever Slack does to the post. Every test
 * delivers the event, then delivers it again as Slack's re-delivery would, and counts the messages that landed.
 */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const SHIM_PASTE =
  'failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';

let env: SlackHandlerEnvironment;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

async function deliverTwice(): Promise<{ first: number; retry: number; thread: string }> {
  const message = channelMessage(SHIM_PASTE);
  const body = eventCallbackBody(message);
  const first = await handler(functionUrlEvent(body), context);
  const retry = await handler(functionUrlEvent(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } }), context);
  return { first: first.statusCode, retry: retry.statusCode, thread: message.ts as string };
}

describe('exactly one answer per paste when Slack misbehaves', () => {
  test('Slack answers after 2.5 s (past the client timeout) but posts: one answer, no blind retry, no re-post on re-delivery', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { slowMs: 2500 });

    // Act
    const outcome = await deliverTwice();

    // Assess
    expect([outcome.first, outcome.retry]).toEqual([200, 200]);
    expect(env.slack.calls('chat.postMessage')).toHaveLength(1);
    expect(env.slack.landed('chat.postMessage').map((call) => call.body.thread_ts)).toEqual([outcome.thread]);
  });

  test('the connection is reset after every post went out: the first counts as posted, nothing is sent again', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { resetAfterPosting: true }, 3);

    // Act
    const outcome = await deliverTwice();

    // Assess
    expect([outcome.first, outcome.retry]).toEqual([200, 200]);
    expect(env.slack.landed('chat.postMessage')).toHaveLength(1);
  });

  test('429 with Retry-After: retried after the pause, one answer', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });

    // Act
    const outcome = await deliverTwice();

    // Assess
    expect([outcome.first, outcome.retry]).toEqual([200, 200]);
    expect(env.slack.calls('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(env.slack.landed('chat.postMessage')).toHaveLength(1);
  });

  test('5xx on every attempt of the first delivery: Slack is asked to re-deliver (500), and the re-delivery answers once', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { status: 503 }, 3);

    // Act
    const outcome = await deliverTwice();

    // Assess
    expect([outcome.first, outcome.retry]).toEqual([500, 200]);
    expect(env.slack.landed('chat.postMessage')).toHaveLength(1);
  });
});
