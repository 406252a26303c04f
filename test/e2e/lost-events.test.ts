import { DynamoRemediationStore } from '../../lambda/aws/remediation-store';
import { createCommandSweepHandler } from '../../lambda/handlers/command-sweeper';
import { buildStatusDeps, createCommandStatusHandler } from '../../lambda/handlers/command-status';
import { reliabilityCase } from '../reliability/catalogue';
import { RESTARTED, stdoutWith } from '../unit/remediation/fixtures';
import { startE2eEnvironment, useProcessEnv, type E2eEnvironment } from './support/e2e-environment';
import { startServe, type ServeProcess } from './support/serve-process';
import { auditTrail, buttonValue, click, commandEvent, invocationEvent, newInstanceId, RESTART_DOCUMENT, restartCard } from './support/slack-actions';

/**
 * EventBridge events lost: the restart runs, SSM never tells us. The scheduled sweeper (lambda/handlers/command-sweeper.ts)
 * polls GetCommandInvocation for requests in flight longer than 5 minutes and finishes them through the status
 * handler's code path; past its bound it gives up. Time passes by handing the sweeper a later clock, never by waiting.
 */
let world: E2eEnvironment;
let serve: ServeProcess;
let restoreEnv: () => void;
let store: DynamoRemediationStore;

beforeAll(async () => {
  world = await startE2eEnvironment();
  serve = await startServe(world.env);
  restoreEnv = useProcessEnv(world.env);
  store = new DynamoRemediationStore({ tableName: world.dynamo.tableName, client: world.dynamo.client });
});
afterAll(async () => {
  restoreEnv?.();
  await serve?.stop();
  await world?.stop();
});
beforeEach(() => {
  world.slack.reset();
});

const MINUTE = 60_000;
const context = { awsRequestId: 'e2e-sweep' };

/** The sweeper as the schedule invokes it, with its clock `minutesLater` ahead of now. */
function sweeperAt(minutesLater: number) {
  return createCommandSweepHandler(async () => ({ ...(await buildStatusDeps(process.env)), now: () => Date.now() + minutesLater * MINUTE }));
}

async function confirmedRestart() {
  const instanceId = newInstanceId();
  world.ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });
  const card = await restartCard(serve, world, `restart ${instanceId}`);
  await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
  const commandId = world.ssm.commands().find((sent) => sent.input.DocumentName === RESTART_DOCUMENT && (sent.input.InstanceIds as string[]).includes(instanceId))?.commandId ?? '';
  const requestId = (await store.findRequestByCommand(commandId)) ?? '';
  return { instanceId, commandId, requestId };
}

/** Results posted in the thread of a request's status message. */
async function threadPosts(requestId: string) {
  const statusTs = (await store.getAudit(requestId))?.statusMessage?.ts;
  return world.slack.calls('chat.postMessage').filter((call) => call.status === 200 && call.body.thread_ts === statusTs);
}

async function isInFlight(requestId: string): Promise<boolean> {
  return (await store.listInFlight()).some((entry) => entry.requestId === requestId);
}

describe('EventBridge status events lost', () => {
  test('the sweep finishes finished commands through the status path: one result each, audit closed, lock released', async () => {
    // Prepare: `count` restarts that succeeded with every status event lost.
    const { count } = reliabilityCase('eventbridge-events-lost');
    const restarts = [];
    for (let index = 0; index < count; index++) restarts.push(await confirmedRestart());
    for (const { commandId, instanceId } of restarts) {
      world.ssm.setInvocation(commandId, instanceId, { Status: 'Success', ResponseCode: 0, StandardOutputContent: stdoutWith(RESTARTED) });
    }
    const early = await sweeperAt(1)({}, context);

    // Act
    const report = await sweeperAt(6)({}, context);
    const again = await sweeperAt(11)({}, context);
    // The lost events turn up after all (EventBridge delivers late): nothing changes.
    const statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
    for (const { commandId, instanceId } of restarts) {
      await statusHandler(invocationEvent(commandId, instanceId, 'Success'), context);
      await statusHandler(commandEvent(commandId, 'Success'), context);
    }

    // Assess
    expect(early.completed).toBe(0);
    expect(report.completed).toBe(count);
    expect(again.completed).toBe(0);
    for (const { requestId, instanceId } of restarts) {
      expect(await threadPosts(requestId)).toHaveLength(1);
      expect(await store.getAudit(requestId)).toMatchObject({ outcome: 'succeeded', instances: { [instanceId]: { status: 'Success' } } });
      expect((await auditTrail(world.dynamo, requestId)).filter((type) => type.startsWith('closed:'))).toEqual(['closed:succeeded']);
      expect(await isInFlight(requestId)).toBe(false);
    }
    // The lock was released: a new restart of the first instance is sent.
    const card = await restartCard(serve, world, `restart ${restarts[0]?.instanceId}`);
    const next = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
    expect(next.raw).toContain('Sent. Command');
  });

  test('a command still running is left alone, and finished by a later sweep', async () => {
    // Prepare
    const { count } = reliabilityCase('eventbridge-events-lost-running');
    const restarts = [];
    for (let index = 0; index < count; index++) restarts.push(await confirmedRestart());
    for (const { commandId, instanceId } of restarts) world.ssm.setInvocation(commandId, instanceId, { Status: 'InProgress' });

    // Act
    const whileRunning = await sweeperAt(6)({}, context);
    const postsWhileRunning = (await Promise.all(restarts.map(({ requestId }) => threadPosts(requestId)))).flat().length;
    for (const { commandId, instanceId } of restarts) {
      world.ssm.setInvocation(commandId, instanceId, { Status: 'Failed', ResponseCode: 1, StandardErrorContent: 'containerd did not come back' });
    }
    await sweeperAt(11)({}, context);

    // Assess
    expect(whileRunning.running).toBeGreaterThanOrEqual(count);
    expect(postsWhileRunning).toBe(0);
    for (const { requestId } of restarts) {
      expect(await threadPosts(requestId)).toHaveLength(1);
      expect((await store.getAudit(requestId))?.outcome).toBe('failed');
      expect(await isInFlight(requestId)).toBe(false);
    }
  });

  test('past its bound the sweep gives up: the thread is told, the audit says unknown, the lock is released', async () => {
    // Prepare
    const { count } = reliabilityCase('eventbridge-events-lost-give-up');
    const restarts = [];
    for (let index = 0; index < count; index++) restarts.push(await confirmedRestart());
    for (const { commandId, instanceId } of restarts) world.ssm.setInvocation(commandId, instanceId, { Status: 'InProgress' });

    // Act
    await sweeperAt(61)({}, context);
    await sweeperAt(66)({}, context);

    // Assess
    for (const { requestId, instanceId } of restarts) {
      const posts = await threadPosts(requestId);
      expect(posts).toHaveLength(1);
      expect(String(posts[0]?.body.text)).toContain('shim-fix lost track of command');
      expect(await store.getAudit(requestId)).toMatchObject({ outcome: 'unknown', state: 'closed' });
      expect(await isInFlight(requestId)).toBe(false);
      const card = await restartCard(serve, world, `restart ${instanceId}`);
      const next = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
      expect(next.raw).toContain('Sent. Command');
    }
  });
});
