import { DynamoRemediationStore } from '../../lambda/aws/remediation-store';
import { buildStatusDeps, createCommandStatusHandler } from '../../lambda/handlers/command-status';
import { reliabilityCase } from '../reliability/catalogue';
import { RESTARTED, stdoutWith } from '../unit/remediation/fixtures';
import { startE2eEnvironment, useProcessEnv, type E2eEnvironment } from './support/e2e-environment';
import { startServe, type ServeProcess } from './support/serve-process';
import { buttonValue, click, invocationEvent, newInstanceId, pasteInChannel, RESTART_DOCUMENT, restartCard } from './support/slack-actions';

/**
 * Slack and SSM failing under the served bot. The Slack Web API stub answers 429 and 5xx; the SSM stub answers
 * ThrottlingException and InternalServerError in SSM's own protocol, so what is tested is the real SDK's retry
 * strategy, the gateway's own SendCommand policy and the messages people see.
 */
let world: E2eEnvironment;
let serve: ServeProcess;
let restoreEnv: () => void;

beforeAll(async () => {
  world = await startE2eEnvironment();
  serve = await startServe(world.env);
  // The status handler runs in this process, as EventBridge would invoke it, with the same configuration.
  restoreEnv = useProcessEnv(world.env);
});
afterAll(async () => {
  restoreEnv?.();
  await serve?.stop();
  await world?.stop();
});
beforeEach(() => {
  world.slack.reset();
  world.ssm.reset();
});

function taggedInstance(): string {
  const instanceId = newInstanceId();
  world.ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });
  return instanceId;
}

/** Confirms a fresh plan for `instanceId`; resolves with the Confirm answer. */
async function planAndConfirm(instanceId: string) {
  const card = await restartCard(serve, world, `restart ${instanceId}`);
  return click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
}

/** The outcome recorded for the request a failure message names (`… request \`r-…\``). */
async function outcomeNamedIn(answer: string): Promise<string | undefined> {
  const requestId = /`(r-[A-Za-z0-9_-]+)`/.exec(answer)?.[1] ?? '';
  const store = new DynamoRemediationStore({ tableName: world.dynamo.tableName, client: world.dynamo.client });
  return (await store.getAudit(requestId))?.outcome;
}

/** Restarts SSM accepted for `instanceId` (its read-only checks not counted). */
function acceptedCommandsFor(instanceId: string): number {
  return world.ssm.commands().filter((sent) => sent.input.DocumentName === RESTART_DOCUMENT && (sent.input.InstanceIds as string[] | undefined)?.includes(instanceId)).length;
}

/** SendCommand requests of the restart document (the check that runs first is not one). */
const restartSends = () => world.ssm.calls('SendCommand').filter((call) => call.body.DocumentName === RESTART_DOCUMENT);

describe('Slack Web API failures', () => {
  test('429 with Retry-After: the answer is posted once, after waiting', async () => {
    // Prepare
    const { count } = reliabilityCase('slack-429-retry-after');
    world.slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, count);

    // Act
    const paste = await pasteInChannel(serve);

    // Assess
    expect(paste.status).toBe(200);
    const calls = world.slack.calls('chat.postMessage');
    expect(calls.map((call) => call.status)).toEqual([...Array.from({ length: count }, () => 429), 200]);
    expect(calls.at(-1)?.body.thread_ts).toBe(paste.message.ts);
  });

  test('5xx within the client retries: the answer is posted once', async () => {
    // Prepare
    const { count } = reliabilityCase('slack-5xx-retried');
    world.slack.failNext('chat.postMessage', { status: 503 }, count);

    // Act
    const paste = await pasteInChannel(serve);

    // Assess
    expect(paste.status).toBe(200);
    expect(world.slack.calls('chat.postMessage').map((call) => call.status)).toEqual([...Array.from({ length: count }, () => 503), 200]);
  });

  test('5xx beyond the client retries: Slack gets a 500, and its re-delivery answers once', async () => {
    // Prepare: three attempts (one try and two retries) all fail.
    const { count } = reliabilityCase('slack-5xx-exhausted');
    world.slack.failNext('chat.postMessage', { status: 500 }, count);

    // Act
    const first = await pasteInChannel(serve);
    const retry = await serve.post(first.body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } });
    const secondRetry = await serve.post(first.body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' } });

    // Assess
    expect([first.status, retry.status, secondRetry.status]).toEqual([500, 200, 200]);
    const delivered = world.slack.calls('chat.postMessage').filter((call) => call.status === 200);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.body.thread_ts).toBe(first.message.ts);
  });
});

describe('SSM failures (real SDK client against the SSM protocol stub)', () => {
  test('throttled preflight: the SDK retries and the plan card is shown', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-throttle-preflight-retried');
    const instanceId = taggedInstance();
    world.ssm.failNext('DescribeInstanceInformation', { status: 400, type: 'ThrottlingException' }, count);

    // Act
    const card = await restartCard(serve, world, `restart ${instanceId}`);

    // Assess
    expect(card.raw).toContain('remediation_confirm');
    expect(world.ssm.calls('DescribeInstanceInformation').filter((call) => call.status === 400)).toHaveLength(count);
    expect(world.ssm.calls('DescribeInstanceInformation').some((call) => call.attempt.startsWith('attempt=2'))).toBe(true);
  });

  test('preflight throttled past the SDK retries: a clear refusal, no card, nothing sent', async () => {
    // Prepare: both preflight calls fail on all three attempts.
    const { count } = reliabilityCase('ssm-throttle-preflight-exhausted');
    const instanceId = taggedInstance();
    world.ssm.failNext('DescribeInstanceInformation', { status: 400, type: 'ThrottlingException' }, count);

    // Act
    const answer = await restartCard(serve, world, `restart ${instanceId}`);

    // Assess
    expect(answer.body.text).toContain('SSM is throttling requests right now (still refused after 3 attempts). Nothing ran. Try again in a minute.');
    expect(answer.raw).not.toContain('remediation_confirm');
    expect(world.ssm.calls('SendCommand')).toHaveLength(0);
  });

  test('5xx on preflight: the SDK retries and the plan card is shown', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-5xx-preflight-retried');
    const instanceId = taggedInstance();
    world.ssm.failNext('DescribeDocument', { status: 500, type: 'InternalServerError' }, count);

    // Act
    const card = await restartCard(serve, world, `restart ${instanceId}`);

    // Assess
    expect(card.raw).toContain('remediation_confirm');
    // The restart's document, then the check's: the first answers only after the retries.
    const statuses = world.ssm.calls('DescribeDocument').map((call) => call.status);
    expect(statuses.slice(0, count)).toEqual(Array.from({ length: count }, () => 500));
    expect(statuses.slice(count)).toEqual([200, 200]);
  });

  test('throttled SendCommand: the gateway retries it, one command is accepted', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-throttle-send-retried');
    const instanceId = taggedInstance();
    const card = await restartCard(serve, world, `restart ${instanceId}`);
    world.ssm.failNext('SendCommand', { status: 400, type: 'ThrottlingException' }, count);

    // Act
    const answer = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));

    // Assess
    expect(answer.raw).toContain('Sent. Command');
    expect(restartSends()).toHaveLength(count + 1);
    // maxAttempts 1 on the send client: every request is a first SDK attempt; the retries are the gateway's.
    expect(world.ssm.calls('SendCommand').every((call) => call.attempt === 'attempt=1; max=1')).toBe(true);
    expect(acceptedCommandsFor(instanceId)).toBe(1);
  });

  test('SendCommand throttled on every attempt: a clear message, nothing ran, the lock is released', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-throttle-send-exhausted');
    const instanceId = taggedInstance();
    const card = await restartCard(serve, world, `restart ${instanceId}`);
    world.ssm.failNext('SendCommand', { status: 400, type: 'ThrottlingException' }, count);

    // Act
    const answer = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
    const again = await planAndConfirm(instanceId);

    // Assess
    expect(answer.raw).toContain(`SSM is throttling requests right now (still refused after ${count} attempts). Nothing ran. Try again in a minute.`);
    expect(restartSends()).toHaveLength(count + 1);
    // The lock was released: the next request for the same instance runs.
    expect(again.raw).toContain('Sent. Command');
    expect(acceptedCommandsFor(instanceId)).toBe(1);
  });

  test('5xx on SendCommand: not retried (it may have landed), the outcome is unknown, and the lock is kept', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-5xx-send');
    const instanceId = taggedInstance();
    const card = await restartCard(serve, world, `restart ${instanceId}`);
    world.ssm.failNext('SendCommand', { status: 500, type: 'InternalServerError' }, count);

    // Act
    const answer = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
    const callsAfterFailure = restartSends().length;
    const again = await planAndConfirm(instanceId);

    // Assess
    expect(callsAfterFailure).toBe(count);
    expect(answer.raw).toContain('SSM did not confirm the command (InternalServerError), so shim-fix cannot tell whether it runs.');
    expect(answer.raw).not.toMatch(/nothing ran/i);
    // Still open and on the in-flight index: the sweeper tells the thread later.
    expect(await outcomeNamedIn(answer.raw)).toBeUndefined();
    expect(again.raw).toContain(`\`${instanceId}\` is already being restarted by request`);
  });
});

describe('SSM not answering', () => {
  test('SendCommand hangs: after its timeout the user is told the outcome is unknown, and the lock is kept', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-send-hangs');
    const instanceId = taggedInstance();
    const card = await restartCard(serve, world, `restart ${instanceId}`);
    world.ssm.failNext('SendCommand', { hang: true }, count);

    // Act
    const answer = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
    const second = await planAndConfirm(instanceId);

    // Assess: one request, never repeated by the SDK; a second restart of the instance is refused while the lock lives.
    expect(restartSends()).toHaveLength(count);
    expect(answer.raw).toContain('so shim-fix cannot tell whether it runs');
    expect(await outcomeNamedIn(answer.raw)).toBeUndefined();
    expect(second.raw).toContain(`\`${instanceId}\` is already being restarted by request`);
  });
});

describe('failures on the status path (status handler in process, as EventBridge invokes it)', () => {
  const context = { awsRequestId: 'e2e-status-faults' };

  /** A confirmed restart whose invocation SSM reports as a success. */
  async function finishedRestart() {
    const instanceId = taggedInstance();
    await planAndConfirm(instanceId);
    const commandId = world.ssm.commands().find((sent) => sent.input.DocumentName === RESTART_DOCUMENT && (sent.input.InstanceIds as string[]).includes(instanceId))?.commandId ?? '';
    world.ssm.setInvocation(commandId, instanceId, { Status: 'Success', ResponseCode: 0, StandardOutputContent: stdoutWith(RESTARTED) });
    return { instanceId, commandId };
  }

  const results = () => world.slack.calls('chat.postMessage').filter((call) => call.status === 200 && call.body.thread_ts !== undefined);

  test('a result post that fails past the client retries fails the invocation, and the retried event posts it once', async () => {
    // Prepare: the first delivery's three attempts all fail; Lambda retries a failed asynchronous invocation.
    const { count } = reliabilityCase('slack-5xx-status-result');
    const { instanceId, commandId } = await finishedRestart();
    const statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
    world.slack.failNext('chat.postMessage', { status: 503 }, count);

    // Act
    const first = await statusHandler(invocationEvent(commandId, instanceId, 'Success'), context).then(
      () => 'ok',
      () => 'threw',
    );
    await statusHandler(invocationEvent(commandId, instanceId, 'Success'), context);
    await statusHandler(invocationEvent(commandId, instanceId, 'Success'), context);

    // Assess
    expect(first).toBe('threw');
    expect(results()).toHaveLength(1);
    expect(JSON.stringify(results()[0]?.body)).toContain(instanceId);
  });

  test('a throttled GetCommandInvocation is retried by the SDK and the result is posted once', async () => {
    // Prepare
    const { count } = reliabilityCase('ssm-throttle-status-poll');
    const { instanceId, commandId } = await finishedRestart();
    const statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
    world.ssm.failNext('GetCommandInvocation', { status: 400, type: 'ThrottlingException' }, count);
    // The check that ran before the restart read its own invocation already.
    const before = world.ssm.calls('GetCommandInvocation').length;

    // Act
    await statusHandler(invocationEvent(commandId, instanceId, 'Success'), context);

    // Assess
    expect(world.ssm.calls('GetCommandInvocation').slice(before).map((call) => call.status)).toEqual([...Array.from({ length: count }, () => 400), 200]);
    expect(results()).toHaveLength(1);
  });
});
