import { handler } from '../../../lambda/handlers/slack';
import { DynamoRemediationStore } from '../../../lambda/aws/remediation-store';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { blockActionPayload, channelMessage, eventCallbackBody, functionUrlEvent, interactiveBody } from '../../helpers/slack-request';

const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const OPERATOR = 'U0OPERATOR1';
const VIEWER = 'U0VIEWER01';
const INSTANCE = 'i-0123456789abcdef0';

let env: SlackHandlerEnvironment;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  // Read on the handler's first request (its configuration is built once per cold start).
  process.env.SHIM_FIX_OPERATORS = OPERATOR;
  const store = new DynamoRemediationStore({ tableName: env.dynamo.tableName, client: env.dynamo.client });
  await store.createAudit({ requestId: 'r-app-home-1', action: 'restart', target: INSTANCE, requestedBy: OPERATOR, channelId: 'C0OPS00001', createdAt: '2026-12-01T09:30:00.000Z', state: 'planned', instanceIds: [INSTANCE] });
  await store.setStatusMessage('r-app-home-1', { channel: 'C0OPS00001', ts: '1800000000.000001' });
  await store.closeAudit('r-app-home-1', 'succeeded', 'containerd restarted');
  // A DM the bot has no runbook for: answered "no confident match" and recorded as a knowledge gap, redacted.
  const dm = channelMessage('my pods are stuck ContainerCreating on node7.prod.example.com (10.2.3.4) since this morning, ask ops@example.com', { channel: 'D0DIRECT01', channel_type: 'im' });
  await handler(functionUrlEvent(eventCallbackBody(dm)), context);
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

async function openHome(user: string, tab = 'home') {
  const event = { type: 'app_home_opened', user, channel: 'D0HOME0001', tab, event_ts: '1800000000.000100' };
  return handler(functionUrlEvent(eventCallbackBody(event)), context);
}

function publishedText(): string {
  const [call] = env.slack.calls('views.publish');
  return JSON.stringify(call?.body.view);
}

describe('App Home through the Slack handler', () => {
  test('an operator sees who may act, that no scan is set up, the request with its requester, target, outcome and thread, and the gap redacted', async () => {
    // Act
    const response = await openHome(OPERATOR);

    // Assess
    expect(response.statusCode).toBe(200);
    const publishes = env.slack.calls('views.publish');
    expect(publishes).toHaveLength(1);
    expect(publishes[0]?.body.user_id).toBe(OPERATOR);
    const view = publishedText();
    expect(view).toContain('"type":"home"');
    expect(view).toContain(`<@${OPERATOR}>`);
    expect(view).toContain('shim-fix=enabled');
    expect(view).toContain('You are an operator');
    expect(view).toContain('Scheduled scan:* not set up');
    expect(view).toContain(`restart \`${INSTANCE}\` by <@${OPERATOR}>: *succeeded*, 2026-12-01 09:30 UTC`);
    // The stub gives no permalink, so the thread is named by channel and ts; the permalink was asked for on the wire.
    const permalinks = env.slack.calls('chat.getPermalink');
    expect(permalinks).toHaveLength(1);
    expect(permalinks[0]?.body).toMatchObject({ channel: 'C0OPS00001', message_ts: '1800000000.000001' });
    expect(view).toContain('channel `C0OPS00001`, message `1800000000.000001`');
    // Redacted before it was stored, then escaped like any text.
    expect(view).toContain('`my pods are stuck ContainerCreating on &lt;host&gt; (&lt;ip&gt;) since this morning, ask &lt;email&gt;`');
    expect(view).toContain('1× (1 unanswered)');
    expect(view).not.toMatch(/node7|10\.2\.3\.4|ops@example/);
  });

  test('a non-operator sees who may act and the outcome, but not who asked, the target or the thread', async () => {
    // Act
    await openHome(VIEWER);

    // Assess
    const view = publishedText();
    expect(env.slack.calls('views.publish')[0]?.body.user_id).toBe(VIEWER);
    expect(view).toContain(`<@${OPERATOR}>`);
    expect(view).toContain('You are not an operator');
    expect(view).toContain('restart: *succeeded*, 2026-12-01 09:30 UTC');
    expect(view).not.toContain(INSTANCE);
    expect(view).not.toContain('C0OPS00001');
    expect(env.slack.calls('chat.getPermalink')).toHaveLength(0);
  });

  test('opening the Messages tab publishes nothing', async () => {
    // Act
    await openHome(OPERATOR, 'messages');

    // Assess
    expect(env.slack.calls('views.publish')).toHaveLength(0);
  });

  test('a 👎 reads the paste from the thread after the thank-you, and an unreadable thread changes nothing for the voter', async () => {
    // Prepare
    env.slack.failNext('conversations.replies', { error: 'missing_scope' });
    const payload = blockActionPayload({ action_id: 'feedback_down', value: 'shim-version' }, { responseUrl: env.slack.responseUrl(), threadTs: '1800000000.000200' });

    // Act
    const response = await handler(functionUrlEvent(interactiveBody(payload), { contentType: 'application/x-www-form-urlencoded' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    const calls = env.slack.calls().map((call) => call.method);
    expect(calls[0]).toMatch(/^\/response\//);
    expect(calls.slice(1)).toEqual(['conversations.replies']);
    expect(env.slack.calls('conversations.replies')[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', ts: '1800000000.000200', limit: '1' });
  });

  test('a 👎 on an answer posted in place (no thread) reads the history just before the answer', async () => {
    // Prepare
    const payload = blockActionPayload({ action_id: 'feedback_down', value: 'shim-version' }, { responseUrl: env.slack.responseUrl(), messageTs: '1800000000.000900' });

    // Act
    const response = await handler(functionUrlEvent(interactiveBody(payload), { contentType: 'application/x-www-form-urlencoded' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(env.slack.calls('conversations.replies')).toEqual([]);
    expect(env.slack.calls('conversations.history')[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', latest: '1800000000.000900', inclusive: 'false', limit: '5' });
  });
});
