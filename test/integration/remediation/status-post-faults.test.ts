import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoRemediationStore } from '../../../lambda/aws/remediation-store';
import { RESULT_LINE_PREFIX } from '../../../lambda/core/remediation/result-line';
import { buildStatusDeps } from '../../../lambda/handlers/command-status';
import { createCommandSweepHandler } from '../../../lambda/handlers/command-sweeper';
import { handler } from '../../../lambda/handlers/slack';
import type { StubFailure } from '../../helpers/slack-api-stub';
import { blockActionPayload, functionUrlEvent, interactiveBody } from '../../helpers/slack-request';
import { invocationStatusEvent } from '../../helpers/ssm-events';
import { RESTARTED } from '../../unit/remediation/fixtures';
import { confirmOutcome, planRestartAfterCheck } from './check-first-steps';
import { useStatusFlow } from './status-flow';

/**
 * Issue 10 point 1 for remediation: a result post under a slow, resetting, rate-limiting or failing Slack ends with
 * exactly one result in the thread. Through the real status handler entry and buildStatusDeps (so the real WebClient
 * built with slackWebClientOptions), the Slack API stub on loopback, dynalite, and the SSM fake restart-flow uses.
 * The status event is delivered several times, as Lambda's async retry and EventBridge's at-least-once delivery do.
 */
const context = { awsRequestId: 'test-request', functionName: 'shim-fix-status' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const OPERATOR = 'U0PERSON01';
const RESULT_TEXT = 'containerd restarted: running 2.0.0 (was 1.7.23)';

const flow = useStatusFlow(OPERATOR);
const { ssm } = flow;
let instanceCounter = 0x5f0000;

function newInstance(): string {
  instanceCounter += 1;
  const id = `i-${instanceCounter.toString(16).padStart(17, '0')}`;
  ssm.nodes.set(id, { tags: { 'shim-fix': 'enabled' } });
  return id;
}

async function lastCommandId(): Promise<string> {
  const calls = ssm.mock.calls();
  for (let index = calls.length - 1; index >= 0; index -= 1) {
    const output = (await calls[index]?.returnValue) as { Command?: { CommandId?: string } } | undefined;
    if (output?.Command?.CommandId) return output.Command.CommandId;
  }
  throw new Error('no command was sent');
}

async function requestIdOf(commandId: string): Promise<string> {
  const { Items } = await flow.env.dynamo.client.send(
    new QueryCommand({ TableName: flow.env.dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `command#${commandId}` } } }),
  );
  return Items?.[0]?.requestId?.S ?? '';
}

/** A confirmed restart of a fresh instance whose command finished; resolves with what the status events need. */
async function finishedRestart(): Promise<{ instanceId: string; commandId: string; requestId: string; statusTs: string }> {
  const instanceId = newInstance();
  const planId = await planRestartAfterCheck({ handler: handler as never, statusHandler: flow.statusHandler, slack: flow.env.slack, ssm, context }, instanceId, OPERATOR);
  const responseUrl = flow.env.slack.responseUrl();
  const ephemeralsBefore = flow.env.slack.calls('chat.postEphemeral').length;
  const payload = { ...blockActionPayload({ action_id: 'remediation_confirm', value: planId }, { responseUrl, ephemeral: true }), user: { id: OPERATOR, username: 'someone', team_id: 'T0TEST001' } };
  const response = await handler(functionUrlEvent(interactiveBody(payload), FORM), context);
  expect(response.statusCode).toBe(200);
  const answer = flow.env.slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  expect(await confirmOutcome(flow.env.slack, JSON.stringify(answer?.body ?? {}), ephemeralsBefore)).toContain('Sent.');
  ssm.invocations.set(instanceId, { Status: 'Success', StandardOutputContent: `restarting\n${RESULT_LINE_PREFIX}${JSON.stringify(RESTARTED)}\n`, StandardErrorContent: '' });
  const commandId = await lastCommandId();
  const requestId = await requestIdOf(commandId);
  const store = new DynamoRemediationStore({ tableName: flow.env.dynamo.tableName, client: flow.env.dynamo.client });
  const statusTs = (await store.getAudit(requestId))?.statusMessage?.ts ?? '';
  expect(statusTs).not.toBe('');
  flow.env.slack.reset();
  return { instanceId, commandId, requestId, statusTs };
}

/** Delivers the terminal event `times` times; each delivery's outcome, as Lambda would see it. */
async function deliverSuccess(instanceId: string, commandId: string, times: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let n = 0; n < times; n += 1) {
    outcomes.push(
      await flow.statusHandler(invocationStatusEvent(commandId, instanceId, 'Success'), context).then(
        () => 'ok',
        (error: unknown) => `threw ${error instanceof Error ? error.name : String(error)}`,
      ),
    );
  }
  return outcomes;
}

/** The result messages now in Slack, in the request's thread (what people see, not what was attempted). */
function resultsInThread(statusTs: string) {
  return flow.env.slack.landed('chat.postMessage').filter((call) => call.body.thread_ts === statusTs && String(call.body.text).includes(RESULT_TEXT));
}

async function auditState(requestId: string, instanceId: string) {
  const store = new DynamoRemediationStore({ tableName: flow.env.dynamo.tableName, client: flow.env.dynamo.client });
  const audit = await store.getAudit(requestId);
  const { Items } = await flow.env.dynamo.client.send(
    new QueryCommand({ TableName: flow.env.dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `audit#${requestId}` } } }),
  );
  const closings = (Items ?? []).filter((item) => item.sk?.S?.startsWith('event#') && (item.type?.S ?? '').startsWith('closed:')).length;
  return { posted: await store.isResultPosted(requestId, instanceId), outcome: audit?.outcome, closedAt: audit?.closedAt, closings };
}

/** Each Slack behaviour, and how many calls in a row meet it. */
function cases(): Array<[string, StubFailure, number]> {
  return [
    // Slack posts, but answers after the client's 2-s timeout: the post may have landed, so it counts as posted.
    ['slow but successful (2.5 s, past the client timeout)', { slowMs: 2500 }, 1],
    // Slack posts, then the connection is reset before the answer: may have landed, counts as posted.
    ['connection reset after the post was recorded', { resetAfterPosting: true }, 1],
    // Refused (not posted): the client waits Retry-After and posts once.
    ['429 with Retry-After: 1, then OK', { status: 429, retryAfterSeconds: 1 }, 1],
    // The stub's 500 carries Slack's JSON error body: "not accepted", so the client's retry posts once.
    ['500 (not accepted), then OK', { status: 500 }, 1],
    // Past the client's retries: the invocation throws (claim released), the retried event posts once.
    ['503 on every client attempt, then OK on the retried event', { status: 503 }, 3],
  ];
}

describe('one result post per command under a misbehaving Slack', () => {
  test.each(cases())('%s: exactly one result in the thread, claim completed, audit closed once', async (_name, failure, times) => {
    // Prepare
    const { instanceId, commandId, requestId, statusTs } = await finishedRestart();
    flow.env.slack.failNext('chat.postMessage', failure, times);

    // Act: the first delivery meets the failure; the redeliveries must not post again.
    const outcomes = await deliverSuccess(instanceId, commandId, 3);

    // Assess
    expect(outcomes.slice(1)).toEqual(['ok', 'ok']);
    if (times === 3) expect(outcomes[0]).toMatch(/^threw/);
    else expect(outcomes[0]).toBe('ok');
    const results = resultsInThread(statusTs);
    expect(results).toHaveLength(1);
    expect(results[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', thread_ts: statusTs });
    const state = await auditState(requestId, instanceId);
    expect(state.posted).toBe(true);
    expect(state.outcome).toBeDefined();
    expect(state.closedAt).toBeDefined();
    expect(state.closings).toBe(1);
  }, 30_000);
});

describe('one sweeper notice per request under a misbehaving Slack', () => {
  const LOST_TRACK = 'lost track of command';
  /** The sweeper as the schedule invokes it, its clock far past the give-up bound (time is handed over, never waited). */
  const sweeperLater = () => createCommandSweepHandler(async () => ({ ...(await buildStatusDeps(process.env)), now: () => Date.now() + 6 * 60 * 60_000 }));

  test.each(cases())('%s: the sweeper run twice leaves exactly one "lost track" notice, audit closed once', async (_name, failure, times) => {
    // Prepare: SSM never reports a final status for the restart.
    const { instanceId, commandId, requestId, statusTs } = await finishedRestart();
    ssm.invocations.set(instanceId, { Status: 'InProgress', StandardOutputContent: '', StandardErrorContent: '' });
    flow.env.slack.failNext('chat.postMessage', failure, times);
    const sweeper = sweeperLater();

    // Act
    const outcomes: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      outcomes.push(await sweeper({}, context).then(() => 'ok', () => 'threw'));
    }

    // Assess
    expect(outcomes.at(-1)).toBe('ok');
    const notices = flow.env.slack.landed('chat.postMessage').filter((call) => call.body.thread_ts === statusTs && String(call.body.text).includes(LOST_TRACK));
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.body.text)).toContain(commandId);
    const state = await auditState(requestId, instanceId);
    expect(state.outcome).toBe('unknown');
    expect(state.closings).toBe(1);
  }, 30_000);
});
