import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoRemediationStore } from '../../lambda/aws/remediation-store';
import { buildStatusDeps } from '../../lambda/handlers/command-status';
import { createCommandSweepHandler } from '../../lambda/handlers/command-sweeper';
import { reliabilityCase } from '../reliability/catalogue';
import { channelMessage, eventCallbackBody } from '../helpers/slack-request';
import { startE2eEnvironment, useProcessEnv, type E2eEnvironment } from './support/e2e-environment';
import { startServe, type ServeProcess } from './support/serve-process';
import { buttonValue, click, newInstanceId, restartCard, SHIM_PASTE } from './support/slack-actions';

/**
 * The Lambda cut off mid-request, as SIGKILL of the served process.
 * - Answering a paste: the delivery's claims are taken, the process dies before Slack has the answer. The claims are
 *   leases (lambda/aws/idempotency-store.ts): Slack's immediate retry finds them held and stays quiet (the first
 *   invocation could still be alive); a retry after the lease has run out takes them over and answers; later retries
 *   find the answer done.
 * - Confirming a restart: the process dies while SendCommand is in flight. Whether SSM ran it is unknown, so nothing
 *   may run it again: the plan is consumed and the lock is held until it expires.
 */
let world: E2eEnvironment;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  world = await startE2eEnvironment();
});
beforeEach(() => {
  world.slack.reset();
  world.ssm.reset();
});
afterEach(async () => {
  // Each test starts (and kills, and restarts) its own server: none may outlive it.
  await serve?.stop();
  serve = undefined;
});
afterAll(async () => {
  await world?.stop();
});

const dedupeKey = (key: string) => ({ pk: { S: `dedupe#${key}` }, sk: { S: 'dedupe' } });

/** Time passing without waiting: the leases of `keys` end one second ago, as they would 30 s after the claim. */
async function expireLeases(keys: string[]): Promise<void> {
  const past = String(Math.floor(Date.now() / 1000) - 1);
  for (const key of keys) {
    await world.dynamo.client.send(
      new UpdateItemCommand({ TableName: world.dynamo.tableName, Key: dedupeKey(key), UpdateExpression: 'SET leaseUntil = :past', ExpressionAttributeValues: { ':past': { N: past } } }),
    );
  }
}

async function leaseOf(key: string): Promise<string | undefined> {
  const { Item } = await world.dynamo.client.send(new GetItemCommand({ TableName: world.dynamo.tableName, Key: dedupeKey(key), ConsistentRead: true }));
  return Item?.leaseUntil?.N;
}

describe('a Slack handler cut off between its claim and its answer', () => {
  test('the next delivery after the lease completes the answer, once; other deliveries stay quiet', async () => {
    // Prepare: the first process is killed while its chat.postMessage is in flight (held, never answered).
    const { count } = reliabilityCase('lambda-cut-off-mid-request');
    serve = await startServe(world.env);
    const message = channelMessage(SHIM_PASTE) as { channel: string; ts: string };
    const body = eventCallbackBody(message);
    const { event_id: eventId } = JSON.parse(body) as { event_id: string };
    const keys = [`event:${eventId}`, `reply:${message.channel}:${message.ts}`];
    const held = world.slack.holdNext('chat.postMessage');
    const firstDelivery = serve.post(body).catch(() => undefined);
    await held;
    await serve.kill();
    await firstDelivery;
    serve = await startServe(world.env);
    // Re-deliveries are byte-identical to the first, as Slack's are; only the retry headers differ.
    const redeliver = (retryNum: number) =>
      serve!.post(body, { headers: { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': retryNum === 1 ? 'http_timeout' : 'http_error' } });
    const pendingAfterKill = await Promise.all(keys.map(leaseOf));

    // Act: Slack's immediate retry, then (leases run out) the retry a minute later, then the rest.
    const statuses: number[] = [];
    statuses.push((await redeliver(1)).status);
    await expireLeases(keys);
    for (let retry = 2; retry <= count; retry++) statuses.push((await redeliver(retry)).status);

    // Assess
    expect(world.slack.calls('chat.postMessage')[0]?.status).toBe(0);
    expect(pendingAfterKill.every((lease) => lease !== undefined)).toBe(true);
    expect(statuses).toEqual(statuses.map(() => 200));
    const delivered = world.slack.calls('chat.postMessage').filter((call) => call.status === 200);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.body.thread_ts).toBe(message.ts);
    expect(await Promise.all(keys.map(leaseOf))).toEqual([undefined, undefined]);
  });
});

describe('a Slack handler cut off in the middle of a Confirm', () => {
  test('the command runs at most once: a second Confirm is refused, a new plan meets the lock, the sweeper tells the thread', async () => {
    // Prepare: plan a restart, then kill the process while its SendCommand is in flight (SSM never answers).
    const { count } = reliabilityCase('lambda-cut-off-mid-confirm');
    serve = await startServe(world.env);
    const instanceId = newInstanceId();
    world.ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });
    const card = await restartCard(serve, world, `restart ${instanceId}`);
    const planId = buttonValue(card.body.blocks, 'remediation_confirm');
    world.ssm.failNext('SendCommand', { hang: true });
    const sending = world.ssm.nextCall('SendCommand');
    // The process dies before any outcome reaches the person: wait for the response only, not 15 s for an outcome.
    const firstClick = click(serve, world.slack, 'remediation_confirm', planId, {}, { timeoutMs: 0 }).catch(() => undefined);
    await sending;
    await serve.kill();
    await firstClick;
    serve = await startServe(world.env);
    const statusTs = world.slack.calls('chat.postMessage').find((call) => call.status === 200 && call.body.thread_ts === undefined)?.body;

    // Act: the person clicks Confirm again (Slack does not re-deliver clicks) and asks for new plans; the sweeper runs.
    const again = await click(serve, world.slack, 'remediation_confirm', planId);
    const replans = [];
    for (let attempt = 0; attempt < count; attempt++) {
      const fresh = await restartCard(serve, world, `restart ${instanceId}`);
      replans.push(await click(serve, world.slack, 'remediation_confirm', buttonValue(fresh.body.blocks, 'remediation_confirm')));
    }
    const restoreEnv = useProcessEnv(world.env);
    const report = await createCommandSweepHandler(async () => ({ ...(await buildStatusDeps(process.env)), now: () => Date.now() + 6 * 60_000 }))({}, {}).finally(restoreEnv);
    const afterSweep = await restartCard(serve, world, `restart ${instanceId}`);
    const lastTry = await click(serve, world.slack, 'remediation_confirm', buttonValue(afterSweep.body.blocks, 'remediation_confirm'));

    // Assess: the one SendCommand that may have landed is the only one; the instance stays locked throughout.
    expect(world.ssm.calls('SendCommand').filter((call) => call.body.DocumentName === 'ShimFix-RestartContainerRuntime')).toHaveLength(1);
    expect(again.raw).toContain('Already confirmed: this plan runs once.');
    for (const replan of [...replans, lastTry]) expect(replan.raw).toContain(`\`${instanceId}\` is already being restarted by request`);
    // The sweeper finished the thread: it says the outcome is unknown, and the audit record agrees.
    expect(report.interrupted).toBe(1);
    const told = world.slack.calls('chat.postMessage').filter((call) => call.status === 200 && call.body.thread_ts !== undefined);
    expect(told).toHaveLength(1);
    expect(String(told[0]?.body.text)).toContain('shim-fix could not confirm that SSM accepted the command');
    const store = new DynamoRemediationStore({ tableName: world.dynamo.tableName, client: world.dynamo.client });
    const requestId = /request `(r-[^`]+)`/.exec(String(told[0]?.body.text))?.[1] ?? '';
    expect(await store.getAudit(requestId)).toMatchObject({ outcome: 'unknown', statusMessage: expect.objectContaining({ channel: statusTs?.channel }) });
  });
});
