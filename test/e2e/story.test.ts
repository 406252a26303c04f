import { DynamoRemediationStore } from '../../lambda/aws/remediation-store';
import { buildStatusDeps, createCommandStatusHandler } from '../../lambda/handlers/command-status';
import { reliabilityCase } from '../reliability/catalogue';
import { RESTARTED, stdoutWith } from '../unit/remediation/fixtures';
import { startE2eEnvironment, useProcessEnv, type E2eEnvironment } from './support/e2e-environment';
import { startServe, type ServeProcess } from './support/serve-process';
import {
  auditTrail,
  buttonValue,
  click,
  commandEvent,
  invocationEvent,
  newInstanceId,
  pasteInChannel,
  RESTART_DOCUMENT,
  restartCard,
} from './support/slack-actions';

/**
 * The whole story on loopback: `npm run serve` as a child process, the Slack Web API stub, dynalite and an SSM stub
 * that speaks SSM's JSON protocol, so the real SDK clients sign, serialise, parse and retry. The status handler runs
 * in this process with the same configuration, as EventBridge would invoke it.
 */
let world: E2eEnvironment;
let serve: ServeProcess;
let restoreEnv: () => void;
let statusHandler: ReturnType<typeof createCommandStatusHandler>;

beforeAll(async () => {
  world = await startE2eEnvironment();
  serve = await startServe(world.env);
  restoreEnv = useProcessEnv(world.env);
  statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
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

const context = { awsRequestId: 'e2e-status' };

/** Restarts a fresh tagged instance: its check first, the card from the check's result, Confirm; returns what the test needs to follow it. */
async function confirmedRestart() {
  const instanceId = newInstanceId();
  world.ssm.addNode(instanceId, { tags: { 'shim-fix': 'enabled' } });
  const card = await restartCard(serve, world, `restart ${instanceId}`);
  const confirm = await click(serve, world.slack, 'remediation_confirm', buttonValue(card.body.blocks, 'remediation_confirm'));
  const command = world.ssm.commands().find((sent) => sent.input.DocumentName === RESTART_DOCUMENT && (sent.input.InstanceIds as string[] | undefined)?.includes(instanceId));
  return { instanceId, card, confirm, commandId: command?.commandId ?? '' };
}

describe('end to end through `npm run serve`', () => {
  test('a paste in a channel gets one threaded answer', async () => {
    // Prepare
    const { count } = reliabilityCase('e2e-paste-answer');

    // Act
    const pastes = [];
    for (let index = 0; index < count; index++) pastes.push(await pasteInChannel(serve));

    // Assess
    expect(pastes.map((paste) => paste.status)).toEqual(pastes.map(() => 200));
    const posts = world.slack.calls('chat.postMessage');
    expect(posts.map((post) => post.body.thread_ts)).toEqual(pastes.map((paste) => paste.message.ts));
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain('shim-version-mismatch');
  });

  test('restart: the check first, the plan card from what it measured, Confirm, one restart SendCommand, status events update the thread, complete audit record', async () => {
    // Prepare
    const { count } = reliabilityCase('e2e-restart-story');
    const { instanceId, card, confirm, commandId } = await confirmedRestart();

    // Act: SSM reports the invocation running, then done; then the whole command done.
    await statusHandler(invocationEvent(commandId, instanceId, 'InProgress'), context);
    world.ssm.setInvocation(commandId, instanceId, { Status: 'Success', ResponseCode: 0, StandardOutputContent: stdoutWith(RESTARTED) });
    await statusHandler(invocationEvent(commandId, instanceId, 'Success'), context);
    await statusHandler(commandEvent(commandId, 'Success'), context);

    // Assess: the answer at once, the read-only check, the card from its result, and the one restart.
    expect(card.immediate).toContain(`Checking \`${instanceId}\` first (read-only`);
    expect(card.raw).toContain(`Restart containerd on \`${instanceId}\``);
    expect(card.raw).toContain('A containerd restart will fix this');
    expect(confirm.raw).toContain('Sent. Command');
    expect(world.ssm.calls('SendCommand').filter((call) => call.body.DocumentName === RESTART_DOCUMENT)).toHaveLength(count);
    expect(world.ssm.commands().map((sent) => sent.input.DocumentName)).toEqual(['ShimFix-CheckContainerRuntime', RESTART_DOCUMENT]);
    expect(world.ssm.commands().filter((sent) => sent.input.DocumentName === RESTART_DOCUMENT)).toEqual([
      {
        commandId,
        input: expect.objectContaining({ DocumentName: RESTART_DOCUMENT, DocumentVersion: '3', InstanceIds: [instanceId], Comment: expect.stringMatching(/^shim-fix U0PERSON01 r-/) }),
      },
    ]);
    // The thread: one status message in the channel, one result in its thread, the status message updated.
    const posts = world.slack.calls('chat.postMessage');
    const status = posts.filter((post) => post.body.thread_ts === undefined);
    expect(status).toHaveLength(1);
    const results = posts.filter((post) => post.body.thread_ts !== undefined);
    expect(results).toHaveLength(1);
    expect(JSON.stringify(results[0]?.body)).toContain(instanceId);
    const updates = world.slack.calls('chat.update');
    expect(JSON.stringify(updates.at(-1)?.body.blocks)).toContain('Done.');
    // The audit record: who, what, where, when, command id, outcome.
    const store = new DynamoRemediationStore({ tableName: world.dynamo.tableName, client: world.dynamo.client });
    const requestId = await store.findRequestByCommand(commandId);
    const audit = await store.getAudit(requestId ?? '');
    expect(audit).toMatchObject({
      action: 'restart',
      target: instanceId,
      requestedBy: 'U0PERSON01',
      channelId: 'C0CHANNEL1',
      commandId,
      document: { name: RESTART_DOCUMENT, version: '3' },
      instanceIds: [instanceId],
      instances: { [instanceId]: { status: 'Success' } },
      outcome: 'succeeded',
      state: 'closed',
    });
    expect(audit?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(audit?.closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await auditTrail(world.dynamo, requestId ?? '')).toEqual(
      expect.arrayContaining(['planned', 'confirmed', 'sent', 'instance-status', 'result-posted', 'command-status', 'closed:succeeded']),
    );
  });

  test('duplicated status events post one result and leave one closing event in the audit trail', async () => {
    // Prepare
    const { count } = reliabilityCase('eventbridge-duplicate-events');
    const { instanceId, commandId } = await confirmedRestart();
    world.ssm.setInvocation(commandId, instanceId, { Status: 'Success', ResponseCode: 0, StandardOutputContent: stdoutWith(RESTARTED) });

    // Act: every event delivered `count` times, some of them at once.
    for (let delivery = 0; delivery < count; delivery++) {
      await Promise.all([statusHandler(invocationEvent(commandId, instanceId, 'Success'), context), statusHandler(invocationEvent(commandId, instanceId, 'InProgress'), context)]);
      await statusHandler(commandEvent(commandId, 'Success'), context);
    }

    // Assess
    const results = world.slack.calls('chat.postMessage').filter((post) => post.body.thread_ts !== undefined);
    expect(results).toHaveLength(1);
    const store = new DynamoRemediationStore({ tableName: world.dynamo.tableName, client: world.dynamo.client });
    const requestId = (await store.findRequestByCommand(commandId)) ?? '';
    const trail = await auditTrail(world.dynamo, requestId);
    expect(trail.filter((type) => type.startsWith('closed:'))).toEqual(['closed:succeeded']);
    expect(trail.filter((type) => type === 'result-posted')).toHaveLength(1);
    expect((await store.getAudit(requestId))?.instances[instanceId]?.status).toBe('Success');
  });
});
