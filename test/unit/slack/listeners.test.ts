import { InMemoryIdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { createLambdaSlackHandler } from '../../../lambda/handlers/slack-app';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import {
  blockActionPayload,
  channelMessage,
  eventCallbackBody,
  functionUrlEvent,
  interactiveBody,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
} from '../../helpers/slack-request';
import { fakeDiagnoser, runbookFixture, silentLogger, type RecordingLogger } from './fakes';

const context = { awsRequestId: 'test-request' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };

let slack: SlackApiStub;
let logger: RecordingLogger;

beforeAll(async () => {
  slack = await startSlackApiStub();
});
afterAll(() => slack.stop());
beforeEach(() => {
  slack.reset();
  logger = silentLogger();
});

/** The real assembly with a fake engine: listener behaviour without depending on the knowledge base. */
function handlerWith(decide: Parameters<typeof fakeDiagnoser>[0] = {}) {
  return createLambdaSlackHandler({
    secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN },
    slackApiUrl: slack.apiUrl,
    deps: { diagnoser: fakeDiagnoser(decide), idempotency: new InMemoryIdempotencyStore(), logger },
  });
}

describe('listeners with a fake diagnosis engine', () => {
  test('in a channel, a diagnosis below the threshold stays silent and costs no claim', async () => {
    // Prepare
    const idempotency = new InMemoryIdempotencyStore();
    const claim = jest.spyOn(idempotency, 'claim');
    const handler = createLambdaSlackHandler({
      secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN },
      slackApiUrl: slack.apiUrl,
      deps: { diagnoser: fakeDiagnoser(), idempotency, logger },
    });

    // Act
    await handler(functionUrlEvent(eventCallbackBody(channelMessage('lunch?'))), context);

    // Assess
    expect(slack.calls()).toHaveLength(0);
    expect(claim).not.toHaveBeenCalled();
  });

  test('the diagnosis is asked in channel mode for channels and direct mode for DMs', async () => {
    // Prepare
    const modes: string[] = [];
    const handler = handlerWith({ decide: (_text, mode) => (modes.push(mode), { runbook: null, confidence: 0.1 }) });

    // Act
    await handler(functionUrlEvent(eventCallbackBody(channelMessage('a'))), context);
    await handler(functionUrlEvent(eventCallbackBody(channelMessage('b', { channel: 'D0DIRECT01', channel_type: 'im' }))), context);

    // Assess
    expect(modes).toEqual(['channel', 'direct']);
  });

  test('👍 is recorded as one structured log event per person and answer, and acknowledged', async () => {
    // Prepare
    const handler = handlerWith();
    const payload = blockActionPayload({ action_id: 'feedback_up', value: 'shim-version-mismatch' }, { responseUrl: slack.responseUrl() });

    // Act
    await handler(functionUrlEvent(interactiveBody(payload), FORM), context);
    await handler(functionUrlEvent(interactiveBody(payload), FORM), context);

    // Assess
    const events = logger.entries.filter((entry) => entry.data.event === 'answer_feedback');
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ vote: 'up', runbook: 'shim-version-mismatch', user: 'U0PERSON01', channel: 'C0CHANNEL1' });
    expect(slack.calls('response_url').map((call) => call.body.text)).toEqual(['Thanks, noted that this answer helped.']);
  });

  test('a runbook id that no longer exists gets a clear ephemeral message', async () => {
    // Prepare
    const handler = handlerWith({ runbooks: [runbookFixture()] });
    const payload = blockActionPayload({ action_id: 'runbook_post:gone', value: 'gone' }, { responseUrl: slack.responseUrl(), ephemeral: true });

    // Act
    await handler(functionUrlEvent(interactiveBody(payload), FORM), context);

    // Assess
    expect(String(slack.calls('response_url')[0]?.body.text)).toContain('no longer exists');
  });

  test('a Slack 5xx past the client retries asks Slack to re-deliver an event (500), never a click (200)', async () => {
    // Prepare: three attempts per call (one try, two retries), all 503.
    const handler = handlerWith({ runbooks: [runbookFixture()] });
    const click = blockActionPayload({ action_id: 'runbook_post:shim-version-mismatch', value: 'shim-version-mismatch' }, { responseUrl: slack.responseUrl(), threadTs: '1.000001' });

    // Act
    slack.failNext('chat.postMessage', { status: 503 }, 3);
    const event = await handler(functionUrlEvent(eventCallbackBody(channelMessage('unsupported shim version (3)'))), context);
    slack.failNext('chat.postMessage', { status: 503 }, 3);
    const button = await handler(functionUrlEvent(interactiveBody(click), FORM), context);

    // Assess
    expect([event.statusCode, button.statusCode]).toEqual([500, 200]);
    expect(logger.entries.filter((entry) => entry.message === 'listener failed').map((entry) => entry.data.redeliver)).toEqual([true, false]);
  });

  test('a failing Slack API is logged without the token and Slack still gets a 200', async () => {
    // Prepare
    const handler = handlerWith();
    slack.failNext('chat.postMessage', { error: 'invalid_blocks' });

    // Act
    const response = await handler(functionUrlEvent(eventCallbackBody(channelMessage('unsupported shim version (3)'))), context);

    // Assess
    expect(response.statusCode).toBe(200);
    const failure = logger.entries.find((entry) => entry.message === 'listener failed');
    expect(failure?.data.slackError).toBe('invalid_blocks');
    expect(JSON.stringify(logger.entries)).not.toContain(TEST_BOT_TOKEN);
  });
});
