import querystring from 'node:querystring';
import { fitMessage } from '../../lambda/slack/blocks/limits';
import { parseCommandEvent } from '../../lambda/aws/command-events';
import { readCheckModal } from '../../lambda/slack/remediation/check-modal';
import { REMEDIATION_IDS } from '../../lambda/slack/remediation/ids';
import { runCli } from '../helpers/cli';
import { blockActionPayload, channelMessage, eventCallbackBody, functionUrlEvent, interactiveBody, messageShortcutPayload, slashCommandBody } from '../helpers/slack-request';
import { deeplyNested, deeplyNestedObject } from './support/hostile';
import { FORM, startSlackHarness, type SlackHarness } from './support/slack-harness';

/**
 * One example per bug the bad-input properties found, so each fix stays fixed whatever seed the properties run with.
 */
let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness();
});
afterAll(() => harness.stop());
beforeEach(() => harness.reset());

describe('Slack boundary regressions', () => {
  test.each([
    ['a number as the event channel', { ...channelMessage('x'), channel: 0, user: undefined }],
    ['null as the event user', { ...channelMessage('x'), user: null }],
    ['null as the event subteam', { ...channelMessage('x'), user: undefined, subteam: null }],
  ])('%s is a malformed event (400), not a Bolt TypeError (500)', async (_name, event) => {
    // Act
    const response = await harness.send(functionUrlEvent(eventCallbackBody(event)));

    // Assess
    expect(response.statusCode).toBe(400);
  });

  test('a url_verification challenge that is not a string gets 400, not a stack overflow (500) while echoing it', async () => {
    // Prepare
    const body = `{"type":"url_verification","token":"t","challenge":${deeplyNestedObject(10_000)}}`;

    // Act
    const response = await harness.send(functionUrlEvent(body));

    // Assess
    expect(response.statusCode).toBe(400);
  });

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a URL', 'not a url'],
  ])('a slash command whose response_url is %s gets 400 instead of a listener crash on respond', async (_name, responseUrl) => {
    // Prepare
    const form = new URLSearchParams(slashCommandBody('restart i-0aaaaaaaaaaaaaaa1', 'http://127.0.0.1:9/x', { user_id: 'U0PERSON01' }));
    form.delete('response_url');
    if (responseUrl !== undefined) form.set('response_url', responseUrl);

    // Act
    const response = await harness.send(functionUrlEvent(form.toString(), { contentType: FORM }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(harness.crashes()).toEqual([]);
  });

  test.each([
    ['a button click', () => ({ ...blockActionPayload({ action_id: 'feedback_up', value: 'shim-version-mismatch' }, { responseUrl: 'x' }), response_url: undefined })],
    ['a message shortcut', () => ({ ...messageShortcutPayload('unsupported shim version (3): not implemented', 'x'), response_url: undefined })],
  ])('%s without a response URL is acknowledged and ignored, not a listener crash on respond', async (_name, payload) => {
    // Act
    const response = await harness.send(functionUrlEvent(interactiveBody(payload()), { contentType: FORM }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(harness.crashes()).toEqual([]);
    expect(harness.slack.calls()).toEqual([]);
  });

  test.each([undefined, null, { values: null }, { values: { [REMEDIATION_IDS.checkModalBlock]: null } }, 5])(
    'a check-modal submission with state %p reads as an empty target instead of throwing',
    (state) => {
      // Act
      const read = readCheckModal({ private_metadata: '{"channelId":["C1"],"threadTs":7}', ...(state === undefined ? {} : { state }) } as never);

      // Assess
      expect(read).toEqual({ targetText: '' });
    },
  );
});

describe('status path regressions', () => {
  test.each([
    ['a mass mention', '<!channel>'],
    ['a bare @here', '@here'],
    ['a user mention', 'Success <@U0EVIL0001>'],
    ['a control character', 'Failed\u0000'],
  ])('an SSM event with %s as its status is invalid (never shown in Slack)', (_name, status) => {
    // Prepare
    const event = {
      'detail-type': 'EC2 Command Invocation Status-change Notification',
      source: 'aws.ssm',
      id: 'e1',
      time: '2026-01-01T00:00:00Z',
      detail: { 'command-id': 'c1', 'document-name': 'ShimFix-RestartContainerRuntime', 'instance-id': 'i-0123456789abcdef0', status },
    };

    // Act
    const parsed = parseCommandEvent(event);

    // Assess
    expect(parsed.ok).toBe(false);
  });

  test('a message with half an emoji (a result line cut mid-character) can be form-encoded for the Web API', () => {
    // Prepare
    const message = fitMessage({
      text: 'restart failed: out of space \ud83d',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'cut \ud83d here, and a stray \ude00' } },
        { type: 'header', text: { type: 'plain_text', text: '\udfff' } },
        { type: 'actions', elements: [{ type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'Go' }, value: 'v\ud800' }] },
      ],
    });

    // Act
    const encode = (): string => querystring.stringify({ text: message.text, blocks: JSON.stringify(message.blocks) });

    // Assess
    expect(encode).not.toThrow();
    expect(JSON.stringify(message)).toContain('\ufffd');
  });
});

describe('CLI regressions', () => {
  test('a --batch line whose id is 10,000 nested arrays gets an error line instead of a stack overflow', async () => {
    // Act
    const result = await runCli(['diagnose', '--batch'], `{"id":${deeplyNested(10_000)},"text":"x"}\n`);

    // Assess
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ line: 1, id: null, error: 'expected {"id": string|number, "text": string}' });
  });

  test.each([['diagnose', 'x'], ['search', 'shim'], ['kb', 'validate']])('%s with a --knowledge folder that does not exist says so and exits 1', async (...args) => {
    // Act
    const result = await runCli([...args, '--knowledge', '/nonexistent/knowledge']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read the knowledge folder "/nonexistent/knowledge" (ENOENT)');
  });
});
