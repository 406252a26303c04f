import { handler } from '../../../lambda/handlers/slack';
import { filledBody } from '../../helpers/slack-payloads';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { functionUrlEvent, interactiveBody } from '../../helpers/slack-request';

/** Issue 10 point 2: the message kinds people really paste into, as Slack really sends them (test/fixtures/slack). */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const SHIM_ERROR =
  'failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';
const SHIM_HEADER = 'Containerd daemon older than its shim after an upgrade';

let env: SlackHandlerEnvironment;
beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

async function deliverEvent(id: string) {
  const body = filledBody(id, { paste: SHIM_ERROR });
  const response = await handler(functionUrlEvent(JSON.stringify(body)), context);
  return { response, event: body.event as Record<string, string> };
}

async function runShortcut(id: string) {
  const responseUrl = env.slack.responseUrl();
  const body = filledBody(id, { paste: SHIM_ERROR, responseUrl });
  const response = await handler(functionUrlEvent(interactiveBody(body), { contentType: 'application/x-www-form-urlencoded' }), context);
  return { response, message: body.message as Record<string, string> };
}

describe('messages with a file attached (subtype file_share)', () => {
  test('in a channel, the text typed next to the screenshot is answered in its thread', async () => {
    // Act
    const { response, event } = await deliverEvent('event.message.file_share');

    // Assess
    expect(response.statusCode).toBe(200);
    const posts = env.slack.landed('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ channel: event.channel, thread_ts: event.ts });
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain(SHIM_HEADER);
  });

  test('in a DM, it is answered inline', async () => {
    // Act
    const { event } = await deliverEvent('event.message.file_share.im');

    // Assess
    const posts = env.slack.landed('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.channel).toBe(event.channel);
    expect(posts[0]?.body.thread_ts).toBeUndefined();
  });
});

describe('Diagnose with shim-fix on messages whose text is not in `text`', () => {
  test('an alert whose content is only in attachments is diagnosed from pretext, title, text and fields', async () => {
    // Act
    const { response, message } = await runShortcut('message_action.alert_attachments');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(env.slack.calls('response_url')).toHaveLength(0);
    const posts = env.slack.landed('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ channel: 'C111', thread_ts: message.ts });
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain(SHIM_HEADER);
  });

  test('a message with the paste only in its rich_text block is diagnosed', async () => {
    // Prepare: Slack's own shortcut payload, with the text emptied as a workflow or API post leaves it.
    const responseUrl = env.slack.responseUrl();
    const body = filledBody('message_action.plain', { paste: SHIM_ERROR, responseUrl });
    (body.message as Record<string, unknown>).text = '';

    // Act
    await handler(functionUrlEvent(interactiveBody(body), { contentType: 'application/x-www-form-urlencoded' }), context);

    // Assess
    expect(env.slack.landed('chat.postMessage')).toHaveLength(1);
  });

  test('a message with nothing readable anywhere is told so', async () => {
    // Prepare
    const responseUrl = env.slack.responseUrl();
    const body = filledBody('message_action.plain', { paste: '', responseUrl });

    // Act
    await handler(functionUrlEvent(interactiveBody(body), { contentType: 'application/x-www-form-urlencoded' }), context);

    // Assess
    expect(env.slack.calls('chat.postMessage')).toHaveLength(0);
    expect(env.slack.calls('response_url')[0]?.body.text).toContain('no text I can read');
  });
});
