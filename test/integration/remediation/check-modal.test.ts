import { handler } from '../../../lambda/handlers/slack';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { blockActionPayload, functionUrlEvent, interactiveBody } from '../../helpers/slack-request';
import { startSsmProtocolStub, type SsmProtocolStub } from '../../helpers/ssm-protocol-stub';
import { until } from './check-first-steps';

/**
 * Issue 9 point 1: the "Check an instance…" modal through the real Slack Lambda handler (signed requests), the real SDK
 * against the loopback SSM stub, dynalite and the Slack API stub. Its plan asks SSM, so it must happen in the worker:
 * the view_submission closes the modal at once, whatever SSM does, and the card follows in the diagnosis's thread.
 */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const OPERATOR = 'U0PERSON01';
const THREAD = '1700000000.000100';

let env: SlackHandlerEnvironment;
let ssm: SsmProtocolStub;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  ssm = await startSsmProtocolStub();
  process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;
  process.env.SHIM_FIX_OPERATORS = OPERATOR;
});
afterAll(async () => {
  delete process.env.SHIM_FIX_OPERATORS;
  await ssm.stop();
  await env.stop();
});
beforeEach(() => {
  env.slack.reset();
  ssm.reset();
});

/** Opens the modal from a diagnosis card in a thread and returns its submission with `target` typed in. */
async function openModal(target: string, privateMetadata?: string): Promise<Record<string, unknown>> {
  const open = blockActionPayload({ action_id: 'remediation_check_open', value: 'shim-version-mismatch' }, { responseUrl: env.slack.responseUrl(), threadTs: THREAD });
  await handler(functionUrlEvent(interactiveBody(open), FORM), context);
  const modal = env.slack.calls('views.open').at(-1)?.body.view as { callback_id: string; private_metadata: string };
  return {
    type: 'view_submission',
    team: { id: 'T0TEST001', domain: 'test' },
    user: { id: OPERATOR, username: 'person', team_id: 'T0TEST001' },
    api_app_id: 'A0TEST001',
    token: 'legacy-verification-token',
    trigger_id: '1234.5678.abcdef',
    view: {
      id: 'V0TEST001',
      type: 'modal',
      callback_id: modal.callback_id,
      private_metadata: privateMetadata ?? modal.private_metadata,
      state: { values: { remediation_target_block: { remediation_target_input: { type: 'plain_text_input', value: target } } } },
      hash: 'h',
    },
  };
}

test('the modal closes while SSM hangs, before any SSM call is answered; "Planning the check…" then the card follow in the thread', async () => {
  // Prepare
  const instanceId = 'i-0000000000000c0de';
  ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });
  ssm.failNext('DescribeInstanceInformation', { hang: true }, 1);
  ssm.failNext('DescribeDocument', { hang: true }, 1);
  const submit = await openModal(instanceId);

  // Act
  const ssmBefore = ssm.calls().length;
  const response = await handler(functionUrlEvent(interactiveBody(submit), FORM), context);
  // No SSM request answered yet when Slack got its answer: it did not wait for SSM (`npm run bench:fleet` prints answer times).
  const ssmAnsweredFirst = ssm.calls().slice(ssmBefore).filter((call) => call.status !== 0).length;

  // Assess
  expect(response.statusCode).toBe(200);
  expect(response.body ?? '').toBe('');
  expect(ssmAnsweredFirst).toBe(0);
  await until(() => ssm.calls('DescribeInstanceInformation').find((call) => call.status === 0), 'the hanging preflight');
  const card = await until(() => env.slack.calls('chat.postEphemeral').find((call) => JSON.stringify(call.body.blocks ?? '').includes('remediation_confirm')), 'the check card');
  const ephemerals = env.slack.calls('chat.postEphemeral');
  expect(ephemerals[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', user: OPERATOR, thread_ts: THREAD, text: expect.stringContaining(`Planning the check of \`${instanceId}\``) });
  expect(card.body).toMatchObject({ channel: 'C0CHANNEL1', user: OPERATOR, thread_ts: THREAD });
  expect(JSON.stringify(card.body.blocks)).toContain(`Check the container runtime on \`${instanceId}\``);
}, 20_000);

test('a modal without a channel gets its answer and its card in the user\'s DM', async () => {
  // Prepare
  const instanceId = 'i-0000000000000c0df';
  ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });
  const submit = await openModal(instanceId, '{}');

  // Act
  await handler(functionUrlEvent(interactiveBody(submit), FORM), context);

  // Assess
  const card = await until(() => env.slack.calls('chat.postMessage').find((call) => JSON.stringify(call.body.blocks ?? '').includes('remediation_confirm')), 'the check card in the DM');
  expect(card.body).toMatchObject({ channel: OPERATOR });
  expect(env.slack.calls('chat.postEphemeral')).toHaveLength(0);
}, 20_000);

test('a fleet tag in the modal runs the fleet check (by id, no Targets) and says one summary follows, never a plan card per host', async () => {
  // Prepare
  const members = ['i-0000000000000f001', 'i-0000000000000f002'];
  for (const id of members) ssm.addNode(id, { tags: { 'shim-fix': 'enabled', team: 'modal' } });
  const submit = await openModal('tag:team=modal');

  // Act
  const response = await handler(functionUrlEvent(interactiveBody(submit), FORM), context);

  // Assess
  expect(response.statusCode).toBe(200);
  const check = await until(() => ssm.commands().find((sent) => sent.input.DocumentName === 'ShimFix-CheckContainerRuntime'), 'the fleet check');
  expect(check.input.Targets).toBeUndefined();
  expect(ssm.instancesOf(check.commandId).sort()).toEqual(members);
  const answer = await until(() => env.slack.calls('chat.postEphemeral').find((call) => String(call.body.text).includes('Checking `tag:team=modal`')), 'the answer');
  expect(answer.body).toMatchObject({ channel: 'C0CHANNEL1', user: OPERATOR, thread_ts: THREAD, text: expect.stringContaining('A fleet check reports one summary, not a message per host') });
  expect(JSON.stringify(env.slack.calls())).not.toContain('remediation_confirm');
}, 20_000);
