import { handler } from '../../../lambda/handlers/slack';
import { shippedRunbooks } from '../../helpers/knowledge';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import {
  channelMessage,
  eventCallbackBody,
  functionUrlEvent,
  interactiveBody,
  nowSeconds,
  slashCommandBody,
} from '../../helpers/slack-request';

const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const SHIM_PASTE = 'Error response from daemon: failed to create task for container: unsupported shim version (3): not implemented';

let env: SlackHandlerEnvironment;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

describe('Slack handler at the HTTP boundary', () => {
  test('answers the url_verification challenge', async () => {
    // Prepare
    const body = JSON.stringify({ token: 't', challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });

    // Act
    const response = await handler(functionUrlEvent(body), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  test.each([
    ['a forged signature', { secret: 'not-the-signing-secret' }],
    ['a timestamp older than five minutes', { timestamp: nowSeconds() - 5 * 60 - 10 }],
    ['no signature at all', { unsigned: true }],
  ])('rejects %s with 401 and posts nothing', async (_name, options) => {
    // Prepare
    const body = eventCallbackBody(channelMessage(SHIM_PASTE));

    // Act
    const response = await handler(functionUrlEvent(body, options), context);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(env.slack.calls()).toHaveLength(0);
  });

  test.each([
    ['truncated JSON', '{"type":"event_callback","event":{', 'application/json'],
    ['a JSON array', '[1,2,3]', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['a form whose payload is not JSON', 'payload=%7Bnot-json', 'application/x-www-form-urlencoded'],
    ['an empty body', '', 'application/json'],
  ])('answers a correctly signed request with %s with 400', async (_name, body, contentType) => {
    // Act
    const response = await handler(functionUrlEvent(body, { contentType }), context);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(env.slack.calls()).toHaveLength(0);
  });

  test('answers an unsigned malformed body with 401, not 400: nothing is revealed before authentication', async () => {
    // Act
    const response = await handler(functionUrlEvent('{"broken', { unsigned: true }), context);

    // Assess
    expect(response.statusCode).toBe(401);
  });

  test.each([
    ['an event type nobody listens to', eventCallbackBody({ type: 'reaction_added', user: 'U1', reaction: 'thumbsup', item: {}, event_ts: '1.2' }), 'application/json'],
    ['an unknown top-level type', JSON.stringify({ type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1 }), 'application/json'],
    ['an interactivity payload type we do not use', interactiveBody({ type: 'view_closed', user: { id: 'U1' }, team: { id: 'T1' }, view: { id: 'V1' } }), 'application/x-www-form-urlencoded'],
    ['a button nobody registered', interactiveBody({ type: 'block_actions', user: { id: 'U1' }, team: { id: 'T1' }, actions: [{ action_id: 'mystery', value: 'x' }] }), 'application/x-www-form-urlencoded'],
    ['a slash command for another app', slashCommandBody('hi', 'http://127.0.0.1:9/unused', { command: '/other' }), 'application/x-www-form-urlencoded'],
  ])('acknowledges %s with 200 and ignores it', async (_name, body, contentType) => {
    // Act
    const response = await handler(functionUrlEvent(body, { contentType }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(env.slack.calls()).toHaveLength(0);
  });

  test('decodes a base64 body as UTF-8, so a signed Chinese paste verifies and is answered', async () => {
    // Prepare
    const body = eventCallbackBody(channelMessage(`升级 containerd 以后容器起不来了：\n${SHIM_PASTE}`));

    // Act
    const response = await handler(functionUrlEvent(body, { base64: true, contentType: 'application/json; charset=utf-8' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    // The Chinese summary leads: the paste was decoded as UTF-8, not as ASCII.
    const summaryZh = shippedRunbooks().find((runbook) => runbook.id === 'shim-version-mismatch')?.summaryZh ?? 'missing';
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain(summaryZh.slice(0, 20));
  });

  test('calls the Web API with the bot token from the configuration', async () => {
    // Prepare
    const body = eventCallbackBody(channelMessage(SHIM_PASTE));

    // Act
    await handler(functionUrlEvent(body), context);

    // Assess
    expect(env.slack.calls('chat.postMessage')[0]?.authorization).toBe('Bearer xoxb-test-token');
  });

  test('makes no start-up call to Slack (no auth.test): the only Web API call is the answer itself', async () => {
    // Prepare
    const body = eventCallbackBody(channelMessage(SHIM_PASTE));

    // Act
    await handler(functionUrlEvent(body), context);

    // Assess
    expect(env.slack.calls().map((call) => call.method)).toEqual(['chat.postMessage']);
  });
});

describe('signed-request hardening (issue 10 point 4)', () => {
  test('a body over 1 MB gets 413 before anything else, signed or not, plain or base64', async () => {
    // Prepare
    const body = eventCallbackBody(channelMessage(`${SHIM_PASTE}\n${'x'.repeat(1024 * 1024)}`));

    // Act
    const responses = await Promise.all([
      handler(functionUrlEvent(body), context),
      handler(functionUrlEvent(body, { unsigned: true }), context),
      handler(functionUrlEvent(body, { base64: true }), context),
    ]);

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([413, 413, 413]);
    expect(env.slack.calls()).toHaveLength(0);
  });

  test('a timestamp more than 5 minutes in the future is refused like a stale one; within 5 minutes either way is fine', async () => {
    // Prepare
    const at = (offset: number) => functionUrlEvent(eventCallbackBody(channelMessage(SHIM_PASTE)), { timestamp: nowSeconds() + offset });

    // Act
    const statuses = await Promise.all([at(365 * 24 * 3600), at(301), at(-301), at(240), at(-240)].map(async (event) => (await handler(event, context)).statusCode));

    // Assess
    expect(statuses).toEqual([401, 401, 401, 200, 200]);
  });

  test('an unsigned body is never parsed: the signature over the raw body is checked first', async () => {
    // Prepare: 700,000 objects, the body the security review measured at about 1 s of parsing before the 401.
    const body = `[${'{"a":1},'.repeat(100_000)}{"a":1}]`;
    const parse = jest.spyOn(JSON, 'parse');

    // Act
    const response = await handler(functionUrlEvent(body, { unsigned: true }), context);
    const parsedTheBody = parse.mock.calls.some(([text]) => text === body);
    parse.mockRestore();

    // Assess
    expect(response.statusCode).toBe(401);
    expect(parsedTheBody).toBe(false);
  });
});
