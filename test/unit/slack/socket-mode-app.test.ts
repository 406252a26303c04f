import { InMemoryIdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { createSocketModeApp } from '../../../lambda/handlers/slack-app';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import { channelMessage, TEST_BOT_USER_ID } from '../../helpers/slack-request';
import { fakeDiagnoser, silentLogger } from './fakes';

let slack: SlackApiStub;

beforeAll(async () => {
  slack = await startSlackApiStub();
});
afterAll(() => slack.stop());

describe('npm run dev (Socket Mode) uses the same listeners', () => {
  // Events are fed to the app directly, as the Socket Mode receiver does after reading them from the
  // WebSocket; the app is never started, so nothing connects anywhere.
  const app = () =>
    createSocketModeApp({
      appToken: 'xapp-test',
      botToken: 'xoxb-test',
      slackApiUrl: undefined,
      deps: { diagnoser: fakeDiagnoser(), idempotency: new InMemoryIdempotencyStore(), logger: silentLogger() },
    });

  test('a slash command is answered in the acknowledgement', async () => {
    // Prepare
    const ack = jest.fn(async () => undefined);

    // Act
    await app().processEvent({
      body: { command: '/shim-fix', text: 'help', team_id: 'T1', user_id: 'U1', channel_id: 'C1', trigger_id: 't', response_url: slack.responseUrl() },
      ack,
    });

    // Assess
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ response_type: 'ephemeral', blocks: expect.any(Array) }));
  });

  test('a pasted error is answered in its thread through the Web API', async () => {
    // Prepare
    const socketApp = createSocketModeApp({
      appToken: 'xapp-test',
      botToken: 'xoxb-test',
      slackApiUrl: slack.apiUrl,
      deps: { diagnoser: fakeDiagnoser(), idempotency: new InMemoryIdempotencyStore(), logger: silentLogger() },
    });
    const message = channelMessage('unsupported shim version (3): not implemented');

    // Act
    await socketApp.processEvent({
      body: { type: 'event_callback', team_id: 'T1', event_id: 'EvSocket1', authorizations: [{ user_id: TEST_BOT_USER_ID }], event: message },
      ack: async () => undefined,
    });

    // Assess
    expect(slack.calls('chat.postMessage').map((call) => call.body.thread_ts)).toEqual([message.ts]);
  });
});
