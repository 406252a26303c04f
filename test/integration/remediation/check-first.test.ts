import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createCommandStatusHandler, buildStatusDeps } from '../../../lambda/handlers/command-status';
import { handler } from '../../../lambda/handlers/slack';
import { RESULT_LINE_PREFIX, type ScriptResult } from '../../../lambda/core/remediation/result-line';
import { buttonValue } from '../../helpers/block-kit';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { blockActionPayload, functionUrlEvent, interactiveBody, slashCommandBody } from '../../helpers/slack-request';
import { invocationStatusEvent } from '../../helpers/ssm-events';
import { startSsmProtocolStub, type SsmProtocolStub } from '../../helpers/ssm-protocol-stub';
import { STALE_DAEMON_CHECK } from '../../unit/remediation/fixtures';
import { confirmOutcome, deliverStatusEvent, until } from './check-first-steps';

/**
 * Issue 9 points 1 and 2 through the real Slack Lambda handler (signed requests), the real SDK against the loopback SSM
 * stub, dynalite, the Slack API stub and the real status handler: a restart request is answered at once, the
 * read-only check runs first, and the plan card built from what it measured offers a Confirm only for a stale daemon.
 */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const OPERATOR = 'U0PERSON01';
const CHECK_DOC = 'ShimFix-CheckContainerRuntime';
const RESTART_DOC = 'ShimFix-RestartContainerRuntime';

let env: SlackHandlerEnvironment;
let ssm: SsmProtocolStub;
let statusHandler: ReturnType<typeof createCommandStatusHandler>;
let counter = 0;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  ssm = await startSsmProtocolStub();
  // The Slack handler reads its environment on its first request, after this.
  process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;
  process.env.SHIM_FIX_OPERATORS = OPERATOR;
  statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
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

function newInstance(): string {
  counter += 1;
  const id = `i-${(0xc0000 + counter).toString(16).padStart(17, '0')}`;
  ssm.addNode(id, { tags: { 'shim-fix': 'enabled' } });
  return id;
}

async function slash(text: string): Promise<{ ssmAnsweredFirst: number; raw: string }> {
  const responseUrl = env.slack.responseUrl();
  const ssmBefore = ssm.calls().length;
  const response = await handler(functionUrlEvent(slashCommandBody(text, responseUrl, { user_id: OPERATOR }), FORM), context);
  const ssmAnsweredFirst = answeredSince(ssmBefore);
  expect(response.statusCode).toBe(200);
  const answer = env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  return { ssmAnsweredFirst, raw: JSON.stringify(answer?.body ?? {}) };
}

/**
 * SSM requests since `before` that SSM had answered when Slack got its answer. Zero while SSM hangs means the answer
 * did not wait for SSM, whatever the machine's load (the time to the answer is printed by `npm run bench:fleet`).
 */
function answeredSince(before: number): number {
  return ssm.calls().slice(before).filter((call) => call.status !== 0).length;
}

/** Proves SSM was really hanging meanwhile: the held request is there, unanswered. */
function hangingCall(operation: string) {
  return until(() => ssm.calls(operation).find((call) => call.status === 0), `the hanging ${operation}`);
}

async function click(actionId: string, value: string): Promise<string> {
  const responseUrl = env.slack.responseUrl();
  const ephemeralsBefore = env.slack.calls('chat.postEphemeral').length;
  const payload = { ...blockActionPayload({ action_id: actionId, value }, { responseUrl, ephemeral: true }), user: { id: OPERATOR, username: 'someone', team_id: 'T0TEST001' } };
  const response = await handler(functionUrlEvent(interactiveBody(payload), FORM), context);
  expect(response.statusCode).toBe(200);
  const answer = env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  return confirmOutcome(env.slack, JSON.stringify(answer?.body ?? {}), ephemeralsBefore);
}

/** The check SendCommand the worker sent for `instanceId`. */
function checkSentTo(instanceId: string) {
  return ssm.commands().find((sent) => sent.input.DocumentName === CHECK_DOC && (sent.input.InstanceIds as string[] | undefined)?.includes(instanceId));
}

/** Runs `/shim-fix restart`, lets the check finish with `result`, and returns the ephemeral card the requester got. */
async function restartWithCheckResult(instanceId: string, result: ScriptResult): Promise<{ blocks: unknown; raw: string }> {
  await slash(`restart ${instanceId}`);
  const check = await until(() => checkSentTo(instanceId), 'the check to be sent');
  ssm.setInvocation(check.commandId, instanceId, { Status: 'Success', StandardOutputContent: `probing\n${RESULT_LINE_PREFIX}${JSON.stringify(result)}\n` });
  await deliverStatusEvent(statusHandler, invocationStatusEvent(check.commandId, instanceId, 'Success', { document: CHECK_DOC }), context, 'the check');
  const card = await until(() => env.slack.calls('chat.postEphemeral').find((call) => JSON.stringify(call.body).includes(instanceId)), 'the plan card');
  return { blocks: (card.body as { blocks?: unknown }).blocks, raw: JSON.stringify(card.body) };
}

/** The restart plan made for `instanceId` (read from the table: a card without Confirm does not show it). */
async function planIdFor(instanceId: string): Promise<string> {
  const { Items = [] } = await env.dynamo.client.send(new ScanCommand({ TableName: env.dynamo.tableName, FilterExpression: 'begins_with(pk, :plan)', ExpressionAttributeValues: { ':plan': { S: 'plan#' } } }));
  const item = Items.find((candidate) => JSON.stringify(candidate.plan).includes(instanceId));
  if (!item?.pk?.S) throw new Error(`no plan for ${instanceId}`);
  return item.pk.S.slice('plan#'.length);
}

function restartsSentTo(instanceId: string) {
  return ssm.commands().filter((sent) => sent.input.DocumentName === RESTART_DOC && (sent.input.InstanceIds as string[] | undefined)?.includes(instanceId));
}

const noContainersAtRisk: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };

describe('restart requests check first', () => {
  test('a restart request answers Slack while SSM hangs, before any SSM call is answered, and the check still follows once SSM answers', async () => {
    // Prepare: SSM leaves the first preflight requests hanging (the SDK's request timeout ends them).
    const instanceId = newInstance();
    ssm.failNext('DescribeInstanceInformation', { hang: true }, 2);

    // Act
    const answer = await slash(`restart ${instanceId}`);

    // Assess
    expect(answer.ssmAnsweredFirst).toBe(0);
    await hangingCall('DescribeInstanceInformation');
    expect(answer.raw).toContain('first (read-only');
    expect(restartsSentTo(instanceId)).toHaveLength(0);
    const check = await until(() => checkSentTo(instanceId), 'the check to be sent after the hang');
    expect(check.input.Parameters).toBeUndefined();
  }, 20_000);

  test('a stale daemon yields the measured card with a Confirm, which sends the restart with AllowStoppingContainers=no', async () => {
    // Prepare
    const instanceId = newInstance();

    // Act
    const card = await restartWithCheckResult(instanceId, noContainersAtRisk);
    const confirmed = await click('remediation_confirm', buttonValue(card.blocks, 'remediation_confirm'));

    // Assess
    expect(card.raw).toContain('A containerd restart will fix this');
    expect(card.raw).toContain('containerd running 1.7.23, installed 2.0.0');
    expect(card.raw).toContain('live-restore on');
    expect(card.raw).not.toContain('remediation_confirm_docker');
    expect(confirmed).toContain('Sent.');
    expect(restartsSentTo(instanceId).map((sent) => sent.input.Parameters)).toEqual([{ AllowStoppingContainers: ['no'] }]);
  });

  test.each<[string, ScriptResult]>([
    ['healthy', { ...noContainersAtRisk, verdict: 'healthy' }],
    ['downgrade', { ...noContainersAtRisk, verdict: 'downgrade' }],
    ['config-rejected', { ...noContainersAtRisk, verdict: 'config-rejected', containerd: { ...noContainersAtRisk.containerd, configAccepted: false, configError: 'invalid plugin key' } }],
  ])('a %s verdict gets "a restart will not help", no Confirm, and a forged Confirm runs nothing', async (_verdict, result) => {
    // Prepare
    const instanceId = newInstance();

    // Act
    const card = await restartWithCheckResult(instanceId, result);
    const forged = await click('remediation_confirm', await planIdFor(instanceId));

    // Assess
    expect(card.raw).toContain('a restart will not help');
    expect(card.raw).not.toContain('remediation_confirm');
    expect(card.raw).toContain('Runbook:');
    expect(forged).not.toContain('Sent.');
    expect(restartsSentTo(instanceId)).toHaveLength(0);
  });
});

describe('Confirm answers Slack at once whatever SSM does', () => {
  /** The click as Slack sends it; returns the immediate answer only (the worker's outcome comes later). */
  async function timedClick(actionId: string, value: string): Promise<{ ssmAnsweredFirst: number; raw: string }> {
    const responseUrl = env.slack.responseUrl();
    const payload = { ...blockActionPayload({ action_id: actionId, value }, { responseUrl, ephemeral: true }), user: { id: OPERATOR, username: 'someone', team_id: 'T0TEST001' } };
    const ssmBefore = ssm.calls().length;
    const response = await handler(functionUrlEvent(interactiveBody(payload), FORM), context);
    const ssmAnsweredFirst = answeredSince(ssmBefore);
    expect(response.statusCode).toBe(200);
    const answer = env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
    return { ssmAnsweredFirst, raw: JSON.stringify(answer?.body ?? {}) };
  }

  test.each([
    ['remediation_confirm', { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } }, ['no']],
    ['remediation_confirm_docker', { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: false, runningContainers: 2, bindsToContainerd: true } }, ['yes']],
  ] as const)('%s answers while SSM hangs, before any SSM call is answered; the worker then sends the restart exactly once', async (actionId, result, consent) => {
    // Prepare: the card from a stale-daemon check, then SSM leaves the re-check (both preflight reads) and the first
    // SendCommand hanging; the SDK's request timeout ends each.
    const instanceId = newInstance();
    const card = await restartWithCheckResult(instanceId, result);
    const planId = buttonValue(card.blocks, actionId);
    ssm.failNext('DescribeInstanceInformation', { hang: true }, 1);
    ssm.failNext('DescribeDocument', { hang: true }, 1);
    const ephemeralsBefore = env.slack.calls('chat.postEphemeral').length;

    // Act
    const answer = await timedClick(actionId, planId);
    const again = await timedClick(actionId, planId);

    // Assess
    // The second click is answered from the table; the first click's worker may be talking to SSM meanwhile.
    expect(answer.ssmAnsweredFirst).toBe(0);
    await hangingCall('DescribeInstanceInformation');
    expect(answer.raw).toContain('Confirmed (request');
    expect(again.raw).toContain('Already confirmed');
    const outcome = await confirmOutcome(env.slack, answer.raw, ephemeralsBefore);
    expect(outcome).toContain('Sent.');
    expect(restartsSentTo(instanceId).map((sent) => sent.input.Parameters)).toEqual([{ AllowStoppingContainers: consent }]);
  }, 30_000);
});

describe('check alone', () => {
  test('`/shim-fix check` answers Slack while SSM hangs, before any SSM call is answered; its plan card follows once SSM answers', async () => {
    // Prepare
    const instanceId = newInstance();
    ssm.failNext('DescribeInstanceInformation', { hang: true }, 1);
    ssm.failNext('DescribeDocument', { hang: true }, 1);
    const ephemeralsBefore = env.slack.calls('chat.postEphemeral').length;

    // Act
    const answer = await slash(`check ${instanceId}`);

    // Assess
    expect(answer.ssmAnsweredFirst).toBe(0);
    await hangingCall('DescribeInstanceInformation');
    expect(answer.raw).toContain(`Planning the check of \`${instanceId}\``);
    const card = await until(() => env.slack.calls('chat.postEphemeral')[ephemeralsBefore], 'the check card');
    expect(JSON.stringify(card.body)).toContain('remediation_confirm');
    expect(JSON.stringify(card.body)).toContain(instanceId);
  }, 20_000);
});

describe('Docker only with consent', () => {
  const containersAtRisk: ScriptResult = {
    ...STALE_DAEMON_CHECK,
    docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: false, runningContainers: 3, bindsToContainerd: true },
  };

  test('containers at risk: only "Restart containerd and Docker — stops 3 containers", which sends AllowStoppingContainers=yes', async () => {
    // Prepare
    const instanceId = newInstance();

    // Act
    const card = await restartWithCheckResult(instanceId, containersAtRisk);
    const planId = buttonValue(card.blocks, 'remediation_confirm_docker');
    const plain = await click('remediation_confirm', planId);
    const consented = await click('remediation_confirm_docker', planId);

    // Assess
    expect(card.raw).toContain('Restart containerd and Docker — stops 3 containers');
    expect(card.raw).not.toContain('"action_id":"remediation_confirm"');
    expect(plain).toContain('The check did not offer this');
    expect(consented).toContain('Sent.');
    expect(restartsSentTo(instanceId).map((sent) => sent.input.Parameters)).toEqual([{ AllowStoppingContainers: ['yes'] }]);
  });
});
