import { SendCommandCommand } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { TERMINAL_STATUSES } from '../../lambda/core/remediation/command-status';
import { RESULT_LINE_PREFIX } from '../../lambda/core/remediation/result-line';
import { handler } from '../../lambda/handlers/slack';
import { SLACK_LIMITS, messageChars } from '../../lambda/slack/blocks/limits';
import { REMEDIATION_IDS } from '../../lambda/slack/remediation/ids';
import { planRestartAfterCheck, until } from '../integration/remediation/check-first-steps';
import { useStatusFlow } from '../integration/remediation/status-flow';
import { blockActionPayload, functionUrlEvent, interactiveBody } from '../helpers/slack-request';
import { badInputCase } from '../reliability/bad-input-cases';
import { STALE_DAEMON_CHECK } from '../unit/remediation/fixtures';
import { anyHostileText, deeplyNested, hostileFragment, hugeArray, wrongType } from './support/hostile';
import { findEchoedMentions } from './support/mentions';

/**
 * EventBridge input to the status handler (`lambda/handlers/command-status.ts`): malformed events of every kind, and
 * hostile statuses and command output for a command really sent through the Slack handler. Real handlers, dynalite,
 * the Slack API stub and a stubbed SSM, as the remediation integration tests run them.
 */
const OPERATOR = 'U0PERSON01';
const RESTART_DOC = 'ShimFix-RestartContainerRuntime';
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const context = { awsRequestId: 'bad-input-status', functionName: 'shim-fix-status' } as never;

const flow = useStatusFlow(OPERATOR);
const { ssm } = flow;
let instanceCounter = 0;

/** Runs the status handler; the only throw it may make is the documented "not recorded yet, retry later". */
async function deliver(event: unknown): Promise<'done' | Error> {
  return flow.statusHandler(event, context).then(
    () => 'done' as const,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
}

function validEvent(overrides: { detail?: Record<string, unknown>; top?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    version: '0',
    id: `evt-${Math.random().toString(36).slice(2)}`,
    'detail-type': 'EC2 Command Invocation Status-change Notification',
    source: 'aws.ssm',
    account: '123456789012',
    // Old enough that an unknown command is dropped rather than retried.
    time: '2020-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'],
    detail: {
      'command-id': '00000000-0000-4000-8000-000000000000',
      'document-name': RESTART_DOC,
      'instance-id': 'i-0123456789abcdef0',
      'requested-date-time': '2020-01-01T00:00:00Z',
      status: 'Success',
      ...overrides.detail,
    },
    ...overrides.top,
  };
}

/** Plans and confirms a restart of a fresh tagged instance through the Slack handler; returns the command. */
async function sendRealCommand(): Promise<{ instanceId: string; commandId: string }> {
  instanceCounter += 1;
  const instanceId = `i-${(0xc0000 + instanceCounter).toString(16).padStart(17, '0')}`;
  ssm.nodes.set(instanceId, { tags: { 'shim-fix': 'enabled' } });
  // A restart checks first: the check's stale-daemon result brings the card with Confirm.
  const planId = await planRestartAfterCheck({ handler: handler as never, statusHandler: flow.statusHandler, slack: flow.env.slack, ssm, context }, instanceId, OPERATOR);
  const click = { ...blockActionPayload({ action_id: REMEDIATION_IDS.confirm, value: planId }, { responseUrl: flow.env.slack.responseUrl(), ephemeral: true }), user: { id: OPERATOR } };
  const before = ssm.mock.commandCalls(SendCommandCommand).length;
  const ephemeralsBefore = flow.env.slack.calls('chat.postEphemeral').length;
  await handler(functionUrlEvent(interactiveBody(click), FORM), context);
  // The Confirm is answered at once; the remediation worker (in process here) sends the restart, records it, and then
  // tells the requester.
  await until(() => flow.env.slack.calls('chat.postEphemeral')[ephemeralsBefore], `the outcome of the restart of ${instanceId}`);
  const commandId = await until(async () => {
    const sent = ssm.mock.commandCalls(SendCommandCommand).slice(before).at(-1);
    const output = (await sent?.returnValue) as { Command?: { CommandId?: string } } | undefined;
    return output?.Command?.CommandId;
  }, `the restart of ${instanceId}`);
  return { instanceId, commandId };
}

describe('SSM status events with bad input', () => {
  test('malformed status events are ignored without a throw or a post', async () => {
    const malformed = badInputCase('input-eventbridge-wrong-shape');
    const topFields = ['detail-type', 'source', 'id', 'time', 'detail', 'resources', 'version', 'account', 'region'];
    const detailFields = ['command-id', 'document-name', 'instance-id', 'status', 'requested-date-time', 'expire-after'];
    const wholeEvent = fc.oneof(
      wrongType,
      fc.constantFrom(JSON.parse(deeplyNested(10_000)) as unknown, { detail: JSON.parse(deeplyNested(10_000)) as unknown }, { resources: JSON.parse(hugeArray(100_000)) as unknown }),
    );
    const damagedEvent = fc
      .tuple(
        fc.dictionary(fc.constantFrom(...topFields), fc.oneof(wrongType, hostileFragment), { maxKeys: 3 }),
        fc.dictionary(fc.constantFrom(...detailFields), fc.oneof(wrongType, hostileFragment, anyHostileText), { maxKeys: 3 }),
        fc.constantFrom('EC2 Command Invocation Status-change Notification', 'EC2 Command Status-change Notification'),
      )
      .map(([top, detail, detailType]) => validEvent({ top: { 'detail-type': detailType, ...top }, detail }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(wholeEvent, damagedEvent), async (event) => {
        // Prepare
        flow.env.slack.reset();

        // Act
        const outcome = await deliver(event);

        // Assess
        expect(outcome).toBe('done');
        expect(flow.env.slack.calls()).toEqual([]);
      }),
      { numRuns: malformed.count },
    );
  });

  test('hostile statuses and command output reach the thread escaped and within limits', async () => {
    const hostile = badInputCase('input-eventbridge-hostile-output');
    let results = 0;
    // Mostly terminal statuses, so most runs reach the result path where the output is shown.
    const status = fc.oneof(
      { arbitrary: fc.constantFrom(...TERMINAL_STATUSES, 'Access Denied', 'Rate Exceeded'), weight: 6 },
      { arbitrary: fc.constantFrom('InProgress', 'Pending', 'Fail ed', ' Success ', 'Success\n'), weight: 1 },
      { arbitrary: hostileFragment, weight: 1 },
      { arbitrary: anyHostileText.map((text) => text.slice(0, 500)), weight: 1 },
    );
    const resultLine = fc.oneof(
      fc.record({ message: anyHostileText.map((text) => text.slice(0, 2000) || 'x'), installedPath: hostileFragment.map((text) => `/usr/bin/${text}`) }).map(({ message, installedPath }) =>
        `${RESULT_LINE_PREFIX}${JSON.stringify({ ...STALE_DAEMON_CHECK, action: 'restart', status: 'failed', message, containerd: { ...STALE_DAEMON_CHECK.containerd, installedPath } })}`,
      ),
      fc.constantFrom(`${RESULT_LINE_PREFIX}{`, `${RESULT_LINE_PREFIX}${deeplyNested(10_000)}`, `${RESULT_LINE_PREFIX}null`, RESULT_LINE_PREFIX),
      hostileFragment.map((text) => `${RESULT_LINE_PREFIX}${text}`),
    );
    const output = fc.record({
      stdout: fc.tuple(anyHostileText, resultLine).map(([noise, line]) => `${noise}\n${line}\n`),
      stderr: fc.oneof(anyHostileText, fc.constant(`<!channel> ${'x'.repeat(100_000)}\n<!here>\n`)),
      invocationStatus: status,
    });
    await fc.assert(
      fc.asyncProperty(status, output, fc.boolean(), async (eventStatus, { stdout, stderr, invocationStatus }, commandLevel) => {
        // Prepare
        // The stub lists every invocation it holds for any command: start each run with none.
        ssm.reset();
        const { instanceId, commandId } = await sendRealCommand();
        flow.env.slack.reset();
        ssm.invocations.set(instanceId, { Status: invocationStatus, StandardOutputContent: stdout, StandardErrorContent: stderr });
        const detail = commandLevel ? { 'command-id': commandId, status: eventStatus, 'instance-id': undefined } : { 'command-id': commandId, 'instance-id': instanceId, status: eventStatus };
        const event = validEvent({ detail, top: { time: new Date().toISOString(), ...(commandLevel ? { 'detail-type': 'EC2 Command Status-change Notification' } : {}) } });

        // Act
        const first = await deliver(event);
        const again = await deliver(event);

        // Assess
        expect([first, again]).toEqual(['done', 'done']);
        const posted = flow.env.slack.calls().filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update');
        for (const call of posted) {
          expect(findEchoedMentions(call.body, [OPERATOR])).toEqual([]);
          const message = { text: String(call.body.text ?? ''), blocks: (call.body.blocks ?? []) as never[] };
          expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
          expect(messageChars(message)).toBeLessThanOrEqual(SLACK_LIMITS.messageChars);
        }
        // A result goes into the thread at most once per instance, however often the event comes.
        expect(flow.env.slack.calls('chat.postMessage').length).toBeLessThanOrEqual(1);
        results += flow.env.slack.calls('chat.postMessage').length;
      }),
      { numRuns: hostile.count },
    );
    // Enough runs reached a terminal state for the result path (where output is shown) to be exercised.
    expect(results).toBeGreaterThan(hostile.count / 5);
  });
});
