import * as z from 'zod';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { createCommandStatusHandler, buildStatusDeps } from '../../../lambda/handlers/command-status';
import { handler } from '../../../lambda/handlers/slack';
import { RESULT_LINE_PREFIX } from '../../../lambda/core/remediation/result-line';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { blockActionPayload, functionUrlEvent, interactiveBody, slashCommandBody } from '../../helpers/slack-request';
import { RESTARTED, STALE_DAEMON_CHECK } from '../../unit/remediation/fixtures';
import { confirmOutcome, deliverStatusEvent, planRestartAfterCheck, restartCardAfterCheck, until } from './check-first-steps';
import { FakeSsm } from './fake-ssm';
import { buttonValue } from '../../helpers/block-kit';
import { invocationStatusEvent } from '../../helpers/ssm-events';

/**
 * The whole remediation story through the real Slack Lambda handler (signed requests, Slack API stub, dynalite,
 * stubbed SSM) and the real status handler.
 */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const OPERATOR = 'U0PERSON01';
const RESTART_DOC = 'ShimFix-RestartContainerRuntime';
const ALLOW = { 'shim-fix': 'enabled' };

let env: SlackHandlerEnvironment;
const ssm = new FakeSsm();
let statusHandler: ReturnType<typeof createCommandStatusHandler>;
let instanceCounter = 0;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
  process.env.SHIM_FIX_OPERATORS = OPERATOR;
  statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
});
afterAll(async () => {
  delete process.env.SHIM_FIX_OPERATORS;
  ssm.mock.restore();
  await env.stop();
});
beforeEach(() => {
  env.slack.reset();
  ssm.reset();
});

/** A fresh instance id per test: the table (and its locks) outlive a test. */
function newInstance(node: { pingStatus?: string; platformType?: string; tags?: Record<string, string> } = { tags: ALLOW }): string {
  instanceCounter += 1;
  const id = `i-${instanceCounter.toString(16).padStart(17, '0')}`;
  ssm.nodes.set(id, node);
  return id;
}

async function slash(text: string, user = OPERATOR): Promise<{ text: string; blocks: unknown[]; raw: string }> {
  const responseUrl = env.slack.responseUrl();
  const ephemeralsBefore = env.slack.calls('chat.postEphemeral').length;
  const response = await handler(functionUrlEvent(slashCommandBody(text, responseUrl, { user_id: user }), FORM), context);
  expect(response.statusCode).toBe(200);
  const immediate = env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  // `/shim-fix check` is answered at once; its card (or refusal) follows from the remediation job.
  const answer = JSON.stringify(immediate?.body ?? {}).includes('Planning the check of')
    ? await until(() => env.slack.calls('chat.postEphemeral')[ephemeralsBefore], 'the check card')
    : immediate;
  const body = (answer?.body ?? {}) as { text?: string; blocks?: unknown[] };
  return { text: body.text ?? '', blocks: body.blocks ?? [], raw: JSON.stringify(body) };
}


async function click(actionId: string, value: string, { user = OPERATOR, headers = {}, messageTs }: { user?: string; headers?: Record<string, string>; messageTs?: string } = {}): Promise<string> {
  const responseUrl = env.slack.responseUrl();
  const ephemeralsBefore = env.slack.calls('chat.postEphemeral').length;
  const payload = { ...blockActionPayload({ action_id: actionId, value }, { responseUrl, ephemeral: true, ...(messageTs ? { messageTs } : {}) }), user: { id: user, username: 'someone', team_id: 'T0TEST001' } };
  const response = await handler(functionUrlEvent(interactiveBody(payload), { ...FORM, headers }), context);
  expect(response.statusCode).toBe(200);
  const answer = env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  return confirmOutcome(env.slack, JSON.stringify(answer?.body ?? {}), ephemeralsBefore);
}

/** A restart checks first: the card with Confirm comes with the check's (stale-daemon) result. */
async function planRestart(instanceId: string): Promise<string> {
  return planRestartAfterCheck({ handler: handler as never, statusHandler, slack: env.slack, ssm, context }, instanceId, OPERATOR);
}

/**
 * `/shim-fix restart …`: answered at once ("Checking … first"); what the check-first job then tells the requester
 * (a refusal, or a fleet's card) arrives as an ephemeral message. Returns that, or the immediate answer.
 */
async function slashRestart(text: string, user = OPERATOR): Promise<{ text: string; blocks: unknown[]; raw: string; immediate: string }> {
  const before = env.slack.calls('chat.postEphemeral').length;
  const immediate = await slash(text, user);
  if (!immediate.raw.includes('first (read-only')) return { ...immediate, immediate: immediate.raw };
  const posted = await until(() => env.slack.calls('chat.postEphemeral')[before], 'the check-first job to answer');
  const body = posted.body as { text?: string; blocks?: unknown[] };
  return { text: body.text ?? '', blocks: body.blocks ?? [], raw: JSON.stringify(body), immediate: immediate.raw };
}

const restartsSent = () => ssm.sent().filter((sent) => sent.DocumentName === RESTART_DOC);


async function auditTrail(requestId: string): Promise<string[]> {
  const items = await env.dynamo.client.send(
    new QueryCommand({ TableName: env.dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `audit#${requestId}` } } }),
  );
  return (items.Items ?? []).map((item) => `${item.sk?.S?.split('#')[0]}:${item.type?.S ?? item.outcome?.S ?? ''}`);
}

describe('restart through Slack', () => {
  test('tagged and online → check → plan card → Confirm by the operator → exactly one restart SendCommand with our document', async () => {
    // Prepare
    const instanceId = newInstance();

    // Act
    const card = await restartCardAfterCheck({ handler: handler as never, statusHandler, slack: env.slack, ssm, context }, instanceId, OPERATOR);
    const beforeConfirm = restartsSent().length;
    const planId = buttonValue(card.blocks, 'remediation_confirm');
    const answer = await click('remediation_confirm', planId);

    // Assess
    expect(card.raw).toContain(`Restart containerd on \`${instanceId}\``);
    expect(card.raw).toContain(`\`${RESTART_DOC}\` version 3`);
    expect(card.raw).toContain('live-restore');
    expect(beforeConfirm).toBe(0);
    expect(ssm.sent()[0]).toMatchObject({ DocumentName: 'ShimFix-CheckContainerRuntime', InstanceIds: [instanceId] });
    expect(restartsSent()).toEqual([
      expect.objectContaining({
        DocumentName: RESTART_DOC,
        DocumentVersion: '3',
        InstanceIds: [instanceId],
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: true },
        TimeoutSeconds: 600,
        Comment: expect.stringMatching(/^shim-fix U0PERSON01 r-/),
        Parameters: { AllowStoppingContainers: ['no'] },
      }),
    ]);
    expect(answer).toContain('Sent. Command');
    const status = env.slack.calls('chat.postMessage');
    expect(status).toHaveLength(1);
    expect(status[0]?.body).toMatchObject({ channel: 'C0CHANNEL1' });
    expect(JSON.stringify(status[0]?.body.blocks)).toContain(`<@${OPERATOR}> is restarting the container runtime on \`${instanceId}\``);
  });

  test('a `/shim-fix <instance>` without a verb is a restart', async () => {
    // Prepare
    const instanceId = newInstance();

    // Act
    const card = await slash(instanceId);

    // Assess: a restart, so its check runs first.
    expect(card.raw).toContain(`Checking \`${instanceId}\` first (read-only`);
    await until(() => ssm.sent().find((sent) => sent.DocumentName === 'ShimFix-CheckContainerRuntime' && sent.InstanceIds?.includes(instanceId)), 'the check');
  });

  test('a double click and a Slack retry of the click send one command', async () => {
    // Prepare
    const planId = await planRestart(newInstance());

    // Act
    const [first, second] = await Promise.all([click('remediation_confirm', planId), click('remediation_confirm', planId)]);
    const retry = await click('remediation_confirm', planId, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });

    // Assess
    expect(restartsSent()).toHaveLength(1);
    expect([first, second].filter((answer) => answer.includes('Already confirmed'))).toHaveLength(1);
    expect(retry).toContain('Already confirmed');
  });

  test('a second restart of the same instance while one runs is refused and names the running request', async () => {
    // Prepare
    const instanceId = newInstance();
    const firstPlan = await planRestart(instanceId);
    const secondPlan = await planRestart(instanceId);
    await click('remediation_confirm', firstPlan);

    // Act
    const answer = await click('remediation_confirm', secondPlan);

    // Assess
    expect(restartsSent()).toHaveLength(1);
    expect(answer).toMatch(/is already being restarted by request `r-[^`]+` \(<@U0PERSON01>\)/);
  });

  test.each([
    ['untagged', { tags: { team: 'payments' } }, 'does not carry the tag `shim-fix=enabled`'],
    ['offline', { tags: ALLOW, pingStatus: 'ConnectionLost' }, 'agent status: ConnectionLost'],
    ['not Linux', { tags: ALLOW, platformType: 'Windows' }, 'runs Windows'],
  ])('%s instances get their own refusal and no plan card', async (_name, node, text) => {
    // Prepare
    const instanceId = newInstance(node);

    // Act
    const answer = await slashRestart(`restart ${instanceId}`);

    // Assess
    expect(answer.text).toContain(text);
    expect(answer.raw).not.toContain('remediation_confirm');
    expect(restartsSent()).toHaveLength(0);
  });

  test('a verb without a target says how to name one', async () => {
    // Act
    const answer = await slash('check');

    // Assess
    expect(answer.text).toContain('/shim-fix check i-0123456789abcdef0');
    expect(ssm.describeCalls()).toBe(0);
  });

  test('an unknown instance and a malformed target are named as such', async () => {
    // Act
    const unknown = await slash('check i-0123456789abcdef0');
    const malformed = await slashRestart('restart i-123');

    // Assess
    expect(unknown.text).toContain('SSM does not manage `i-0123456789abcdef0`');
    expect(malformed.text).toContain('`i-123` is not an instance id or a fleet tag');
  });

  test('someone not in SHIM_FIX_OPERATORS is refused before any AWS call, and told who can act', async () => {
    // Prepare
    const instanceId = newInstance();

    // Act
    const answer = await slashRestart(`restart ${instanceId}`, 'U0STRANGER');

    // Assess
    expect(answer.raw).toContain('Only <@U0PERSON01> can restart');
    expect(answer.text).toContain('Only @U0PERSON01 can restart');
    expect(ssm.describeCalls()).toBe(0);
    expect(restartsSent()).toHaveLength(0);
  });

  test("a click on someone else's plan runs nothing and leaves the plan usable by its owner", async () => {
    // Prepare
    const planId = await planRestart(newInstance());

    // Act
    const stranger = await click('remediation_confirm', planId, { user: 'U0STRANGER' });
    const owner = await click('remediation_confirm', planId);

    // Assess
    expect(stranger).toContain('This plan belongs to <@U0PERSON01>');
    expect(owner).toContain('Sent.');
    expect(restartsSent()).toHaveLength(1);
  });

  test.each([
    ['the document version changed', () => ssm.versions.set(RESTART_DOC, '4'), 'This card is out of date: the document is now ShimFix-RestartContainerRuntime version 4'],
    ['the tag was removed', (id: string) => ssm.nodes.set(id, { tags: {} }), 'does not carry the tag `shim-fix=enabled`'],
    ['the instance went offline', (id: string) => ssm.nodes.set(id, { tags: ALLOW, pingStatus: 'ConnectionLost' }), 'ConnectionLost'],
  ])('a stale card is refused at Confirm when %s', async (_name, change, text) => {
    // Prepare
    const instanceId = newInstance();
    const planId = await planRestart(instanceId);
    change(instanceId);

    // Act
    const answer = await click('remediation_confirm', planId);

    // Assess
    expect(answer).toContain(text);
    expect(answer).toContain('Nothing ran');
    expect(restartsSent()).toHaveLength(0);
  });

  test('Cancel closes the plan: a later Confirm runs nothing', async () => {
    // Prepare
    const instanceId = newInstance();
    const planId = await planRestart(instanceId);

    // Act
    const cancelled = await click('remediation_cancel', planId);
    const confirmed = await click('remediation_confirm', planId);

    // Assess
    expect(cancelled).toContain(`Cancelled. Nothing ran on \`${instanceId}\``);
    expect(confirmed).toContain('cancelled');
    expect(restartsSent()).toHaveLength(0);
  });

  test.each([
    ['AccessDeniedException', 'client', 'access denied', true],
    ['ThrottlingException', 'client', 'throttling requests', true],
    ['InvalidDocument', 'client', 'redeploy the stack', true],
    ['InvalidInstanceId', 'client', 'SSM cannot run commands on', true],
    ['InternalServerError', 'server', 'cannot tell whether it runs', false],
    ['TimeoutError', undefined, 'cannot tell whether it runs', false],
  ])('SendCommand failing with %s (fault: %s) gives its own message, is audited, and frees the lock only on a proven rejection', async (name, fault, text, lockFreed) => {
    // Prepare
    const instanceId = newInstance();
    const planId = await planRestart(instanceId);
    ssm.sendError = Object.assign(new Error(`${name} from SSM`), { name, $metadata: { attempts: 3 }, ...(fault ? { $fault: fault } : {}) });

    // Act
    const answer = await click('remediation_confirm', planId);
    ssm.sendError = undefined;
    const retry = await click('remediation_confirm', await planRestart(instanceId));

    // Assess
    expect(answer).toContain(text);
    const statusUpdate = JSON.stringify(env.slack.calls('chat.update')[0]?.body.blocks ?? null);
    if (lockFreed) {
      expect(statusUpdate).toContain('Not sent.');
      expect(retry).toContain('Sent.');
    } else {
      expect(statusUpdate).not.toContain('Not sent.');
      expect(retry).toContain('is already being restarted');
    }
  });

  test('status events update the public message and post the result into its thread, once', async () => {
    // Prepare
    const instanceId = newInstance();
    await click('remediation_confirm', await planRestart(instanceId));
    const status = env.slack.calls('chat.postMessage')[0]?.body as { channel: string };
    const statusTs = await latestStatusTs();
    ssm.invocations.set(instanceId, { Status: 'Success', StandardOutputContent: `restarting\n${RESULT_LINE_PREFIX}${JSON.stringify(RESTARTED)}\n`, StandardErrorContent: '' });
    const sentCommandId = await lastCommandId();
    env.slack.reset();

    // Act
    await statusHandler(invocationStatusEvent(sentCommandId, instanceId, 'InProgress'), context);
    await statusHandler(invocationStatusEvent(sentCommandId, instanceId, 'Success'), context);
    await statusHandler(invocationStatusEvent(sentCommandId, instanceId, 'Success'), context);
    await statusHandler(invocationStatusEvent(sentCommandId, instanceId, 'InProgress'), context);

    // Assess
    expect(status.channel).toBe('C0CHANNEL1');
    const updates = env.slack.calls('chat.update');
    expect(updates.at(-1)?.body).toMatchObject({ channel: 'C0CHANNEL1', ts: statusTs });
    expect(JSON.stringify(updates.at(-1)?.body.blocks)).toContain(`\`${instanceId}\` Success`);
    const results = env.slack.calls('chat.postMessage');
    expect(results).toHaveLength(1);
    expect(results[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', thread_ts: statusTs });
    expect(String(results[0]?.body.text)).toContain('containerd restarted: running 2.0.0 (was 1.7.23)');
    // The lock is free again: a new restart can be confirmed.
    expect(await click('remediation_confirm', await planRestart(instanceId))).toContain('Sent.');
  });
});

describe('check through Slack', () => {
  test('a check that finds the stale daemon reads like a diagnosis and offers Restart, which plans a restart', async () => {
    // Prepare
    const instanceId = newInstance();
    const card = await slash(`check ${instanceId}`);
    await click('remediation_confirm', buttonValue(card.blocks, 'remediation_confirm'));
    const commandId = await lastCommandId();
    ssm.invocations.set(instanceId, { Status: 'Success', StandardOutputContent: `${RESULT_LINE_PREFIX}${JSON.stringify(STALE_DAEMON_CHECK)}\n`, StandardErrorContent: '' });
    env.slack.reset();

    // Act
    await statusHandler(invocationStatusEvent(commandId, instanceId, 'Success', { document: 'ShimFix-CheckContainerRuntime' }), context);
    const result = env.slack.calls('chat.postMessage')[0]?.body as { text: string; blocks: unknown[] };
    const underResult = { messageTs: '1800000000.000555' };
    const restartAnswer = await click('remediation_restart', buttonValue(result.blocks, 'remediation_restart'), underResult);

    // Assess
    expect(card.raw).toContain('`ShimFix-CheckContainerRuntime` version 2');
    expect(card.raw).toContain('The check only reads');
    expect(ssm.sent()[0]).toMatchObject({ DocumentName: 'ShimFix-CheckContainerRuntime', InstanceIds: [instanceId] });
    expect(result.text).toContain('running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade');
    // The Restart button plans from a fresh check, not from the (possibly old) result it sits under.
    expect(restartAnswer).toContain(`Checking \`${instanceId}\` first (read-only`);
    expect(restartAnswer).not.toContain('remediation_confirm');
    await until(() => (ssm.sent().filter((sent) => sent.DocumentName === 'ShimFix-CheckContainerRuntime').length >= 2 ? true : undefined), 'a fresh check');
    // A second click on the same Restart (a double click) starts no second check and no second plan card.
    const again = await click('remediation_restart', buttonValue(result.blocks, 'remediation_restart'), underResult);
    expect(again).toContain(`You already clicked Restart for \`${instanceId}\``);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ssm.sent().filter((sent) => sent.DocumentName === 'ShimFix-CheckContainerRuntime')).toHaveLength(2);
  });

  test('"Check an instance…" on a diagnosis card opens a modal whose submission shows a check plan in the thread', async () => {
    // Prepare
    const instanceId = newInstance();
    const responseUrl = env.slack.responseUrl();
    const open = blockActionPayload({ action_id: 'remediation_check_open', value: 'shim-version-mismatch' }, { responseUrl, threadTs: '1700000000.000100' });

    // Act
    await handler(functionUrlEvent(interactiveBody(open), FORM), context);
    const modal = env.slack.calls('views.open')[0]?.body.view as { callback_id: string; private_metadata: string };
    const submit = {
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
        private_metadata: modal.private_metadata,
        state: { values: { remediation_target_block: { remediation_target_input: { type: 'plain_text_input', value: instanceId } } } },
        hash: 'h',
      },
    };
    const invalid = { ...submit, view: { ...submit.view, state: { values: { remediation_target_block: { remediation_target_input: { type: 'plain_text_input', value: 'web-1' } } } } } };
    const rejected = await handler(functionUrlEvent(interactiveBody(invalid), FORM), context);
    await handler(functionUrlEvent(interactiveBody(submit), FORM), context);

    // Assess
    expect(modal.callback_id).toBe('remediation_check_modal');
    expect(JSON.parse(rejected.body)).toMatchObject({ response_action: 'errors', errors: { remediation_target_block: expect.stringContaining('not an instance id') } });
    // The plan is made by the worker (it asks SSM): "Planning the check…" first, then the card, both in the thread.
    const card = await until(() => env.slack.calls('chat.postEphemeral')[1], 'the check card');
    const ephemeral = env.slack.calls('chat.postEphemeral');
    expect(ephemeral).toHaveLength(2);
    expect(card.body).toMatchObject({ channel: 'C0CHANNEL1', user: OPERATOR, thread_ts: '1700000000.000100' });
    expect(JSON.stringify(card.body.blocks)).toContain(`Check the container runtime on \`${instanceId}\``);
    expect(restartsSent()).toHaveLength(0);
  });
});

describe('audit trail', () => {
  test('a refused request and a sent request both leave their trail in the table', async () => {
    // Prepare
    const instanceId = newInstance();
    await slashRestart(`restart ${instanceId}`, 'U0STRANGER');
    const planId = await planRestart(instanceId);

    // Act
    await click('remediation_confirm', planId);
    const requestId = /shim-fix U0PERSON01 (r-\S+)/.exec(restartsSent()[0]?.Comment ?? '')?.[1] ?? '';

    // Assess
    expect(await auditTrail(requestId)).toEqual(expect.arrayContaining(['request:', 'event:planned', 'event:confirmed', 'event:sent']));
  });
});

async function lastCommandId(): Promise<string> {
  const calls = ssm.mock.calls();
  for (let index = calls.length - 1; index >= 0; index -= 1) {
    const output = (await calls[index]?.returnValue) as { Command?: { CommandId?: string } } | undefined;
    if (output?.Command?.CommandId) return output.Command.CommandId;
  }
  throw new Error('no command was sent');
}

async function latestStatusTs(): Promise<string> {
  const { Items } = await env.dynamo.client.send(new QueryCommand({ TableName: env.dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `command#${await lastCommandId()}` } } }));
  const requestId = Items?.[0]?.requestId?.S ?? '';
  const audit = await env.dynamo.client.send(new QueryCommand({ TableName: env.dynamo.tableName, KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': { S: `audit#${requestId}` }, ':sk': { S: 'request' } } }));
  return audit.Items?.[0]?.statusMessage?.M?.ts?.S ?? '';
}

describe('fleets', () => {
  test('a fleet restart is checked by id across its members first; the fleet card comes from the results, and Confirm restarts them by id', async () => {
    // Prepare
    const team = `team-${instanceCounter}`;
    const members = [newInstance({ tags: { ...ALLOW, team } }), newInstance({ tags: { ...ALLOW, team } })].sort();
    newInstance({ tags: { team } });
    const stale = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };
    for (const member of members) ssm.invocations.set(member, { Status: 'Success', StandardOutputContent: `${RESULT_LINE_PREFIX}${JSON.stringify(stale)}\n`, StandardErrorContent: '' });
    const ephemerals = env.slack.calls('chat.postEphemeral').length;

    // Act: the answer comes at once, the check goes out from the worker, the results come back as status events
    const immediate = await slash(`restart tag:team=${team}`);
    const check = await until(() => ssm.sent().find((sent) => sent.DocumentName === 'ShimFix-CheckContainerRuntime' && sent.InstanceIds?.includes(members[0] ?? '')), 'the fleet check');
    const checkCall = ssm.mock.commandCalls(SendCommandCommand).find((call) => call.args[0].input === check);
    const checkCommandId = z.object({ Command: z.object({ CommandId: z.string() }) }).parse(await checkCall?.returnValue).Command.CommandId;
    for (const member of members) await deliverStatusEvent(statusHandler, invocationStatusEvent(checkCommandId, member, 'Success', { document: 'ShimFix-CheckContainerRuntime' }), context, `the check of ${member}`);
    const card = await until(() => env.slack.calls('chat.postEphemeral').slice(ephemerals).find((call) => JSON.stringify(call.body).includes('fleet_confirm')), 'the fleet plan card');
    const responseUrl = env.slack.responseUrl();
    const payload = { ...blockActionPayload({ action_id: 'fleet_confirm', value: buttonValue((card.body as { blocks: unknown[] }).blocks, 'fleet_confirm') }, { responseUrl, ephemeral: true }), user: { id: OPERATOR, username: 'someone', team_id: 'T0TEST001' } };
    expect((await handler(functionUrlEvent(interactiveBody(payload), FORM), context)).statusCode).toBe(200);
    const answer = JSON.stringify(env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1)?.body ?? {});
    const restart = await until(() => restartsSent()[0], 'the first wave');

    // Assess
    expect(immediate.raw).toContain('first (read-only');
    expect(check).toMatchObject({ InstanceIds: members });
    expect(check?.Targets).toBeUndefined();
    expect(JSON.stringify(card.body)).toContain('Restart containerd on 2 hosts');
    expect(answer).toContain('Confirmed');
    // 5 % of 2 hosts is 1 host per wave: the first wave is one host, by id, never by tag.
    expect(restart).toMatchObject({ InstanceIds: [members[0]], Parameters: { AllowStoppingContainers: ['no'] } });
    expect(restart.Targets).toBeUndefined();
    expect(restartsSent()).toHaveLength(1);
  });

  test('a fleet with no instance carrying the allow tag is refused and says which tag is missing', async () => {
    // Prepare
    newInstance({ tags: { team: 'orphans' } });

    // Act
    const answer = await slashRestart('restart tag:team=orphans');

    // Assess
    expect(answer.text).toContain('No SSM-managed instance carries both `tag:team=orphans` and `shim-fix=enabled`. 1 managed instance(s) carry');
  });
});

describe('Slack failures', () => {
  test('when the status message cannot be posted, nothing is sent and the lock is free for the next try', async () => {
    // Prepare
    const instanceId = newInstance();
    const planId = await planRestart(instanceId);
    env.slack.failNext('chat.postMessage', { error: 'not_in_channel' });

    // Act
    const answer = await click('remediation_confirm', planId);
    const retry = await click('remediation_confirm', await planRestart(instanceId));

    // Assess
    expect(answer).toContain('Invite it with `/invite @shim-fix`');
    expect(retry).toContain('Sent.');
    expect(restartsSent()).toHaveLength(1);
  });
});
