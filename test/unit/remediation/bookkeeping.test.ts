import { SSMClient } from '@aws-sdk/client-ssm';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { AwsSsmGateway, type SsmGateway } from '../../../lambda/aws/ssm-gateway';
import { RemediationService, type StatusPublisher } from '../../../lambda/remediation/remediation-service';
import type { StatusUpdateDeps } from '../../../lambda/slack/remediation/status-updates';
import { sweepInFlight } from '../../../lambda/slack/remediation/sweep-in-flight';
import { startSsmProtocolStub, type SsmFailure, type SsmProtocolStub } from '../../helpers/ssm-protocol-stub';

/**
 * Issue 9 point 6: the bookkeeping around a sent restart. Real service, real sweeper and (for the send failures) the
 * real SDK and gateway against the loopback SSM stub; only the clock is injected.
 */

const ID = 'i-0123456789abcdef0';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MINUTE = 60_000;
const ALLOW = { key: 'shim-fix', value: 'enabled' };
const DOCUMENTS = ['ShimFix-RestartContainerRuntime', 'ShimFix-CheckContainerRuntime'];
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const publisher: StatusPublisher = { post: async () => ({ channel: 'C1', ts: '1.1' }), refresh: async () => undefined };

function world(ssm: SsmGateway) {
  let now = T0;
  let counter = 0;
  const store = new InMemoryRemediationStore({ now: () => now });
  const service = new RemediationService({
    operators: ['U1'],
    allowTag: ALLOW,
    restartDocument: DOCUMENTS[0] ?? '',
    checkDocument: DOCUMENTS[1] ?? '',
    ssm,
    store,
    logger: silent,
    newId: (prefix) => `${prefix}-${++counter}`,
    now: () => now,
  });
  const posts: string[] = [];
  const deps: StatusUpdateDeps = {
    store,
    ssm,
    chat: { update: async () => undefined, postMessage: async (args) => void posts.push(args.text) },
    documents: DOCUMENTS,
    logger: silent,
    offerRestart: false,
    now: () => now,
  };
  const restart = async () => {
    const planned = await service.plan({ userId: 'U1', channelId: 'C1', action: 'restart', targetText: ID });
    if (planned.kind !== 'plan') throw new Error(`expected a plan, got: ${planned.message}`);
    return service.confirm({ planId: planned.plan.planId, userId: 'U1', publisher });
  };
  return { store, deps, posts, restart, at: (minutes: number) => (now = T0 + minutes * MINUTE) };
}

describe('one bound for the lock and for giving up', () => {
  it('refuses a second restart for as long as the sweeper still tracks the first, and accepts one once it gave up', async () => {
    // Prepare: SSM reports the first restart InProgress forever (the agent lost contact mid-run).
    let sent = 0;
    const ssm: SsmGateway = {
      describeInstance: async (instanceId) => ({ instanceId, hasAllowTag: true, instance: { instanceId, pingStatus: 'Online', platformType: 'Linux' } }),
      describeFleet: async (tag) => ({ tag, eligible: [], truncated: false }),
      documentVersion: async (name) => ({ name, version: '1' }),
      sendCommand: async () => ({ commandId: `00000000-0000-0000-0000-${String(++sent).padStart(12, '0')}` }),
      getCommandInvocation: async (_commandId, instanceId) => ({ instanceId, status: 'InProgress', stdout: '', stderr: '' }),
      listCommandInvocations: async () => [],
    };
    const { deps, restart, at } = world(ssm);
    expect((await restart()).kind).toBe('sent');

    // Act: every sweep period, the sweeper runs and someone tries a second restart.
    const timeline: string[] = [];
    for (let minute = 5; minute <= 90; minute += 5) {
      at(minute);
      const report = await sweepInFlight(deps);
      const second = await restart();
      timeline.push(`${minute}:${report.running > 0 ? 'tracked' : report.givenUp > 0 ? 'gave-up' : 'idle'}:${second.kind}`);
      if (second.kind === 'sent') break;
    }

    // Assess: never `sent` while tracked; the first `sent` comes right after the sweeper gave the first one up.
    expect(timeline.filter((entry) => entry.includes(':tracked:')).every((entry) => entry.endsWith(':locked'))).toBe(true);
    expect(timeline.at(-1)).toBe('60:gave-up:sent');
  });
});

describe('a Confirm cut off between taking the lock and sending (security review L1)', () => {
  it('the sweeper sees it, frees the instance and closes the request not-sent', async () => {
    // Prepare: the status message post never returns (the invocation is killed there).
    const ssm: SsmGateway = {
      describeInstance: async (instanceId) => ({ instanceId, hasAllowTag: true, instance: { instanceId, pingStatus: 'Online', platformType: 'Linux' } }),
      describeFleet: async (tag) => ({ tag, eligible: [], truncated: false }),
      documentVersion: async (name) => ({ name, version: '1' }),
      sendCommand: async () => ({ commandId: '00000000-0000-0000-0000-000000000001' }),
      getCommandInvocation: async (_commandId, instanceId) => ({ instanceId, status: 'InProgress', stdout: '', stderr: '' }),
      listCommandInvocations: async () => [],
    };
    const { store, deps, at } = world(ssm);
    let counter = 0;
    const service = new RemediationService({
      operators: ['U1'],
      allowTag: ALLOW,
      restartDocument: DOCUMENTS[0] ?? '',
      checkDocument: DOCUMENTS[1] ?? '',
      ssm,
      store,
      logger: silent,
      newId: (prefix) => `${prefix}-cut-${++counter}`,
      now: () => T0,
    });
    const planned = await service.plan({ userId: 'U1', channelId: 'C1', action: 'restart', targetText: ID });
    if (planned.kind !== 'plan') throw new Error('expected a plan');
    const hanging: StatusPublisher = { post: () => new Promise(() => undefined), refresh: async () => undefined };
    void service.confirm({ planId: planned.plan.planId, userId: 'U1', publisher: hanging });
    await new Promise((resolve) => setImmediate(resolve));

    // Act
    at(6);
    const report = await sweepInFlight(deps);

    // Assess
    expect(report.interrupted).toBe(1);
    expect(await store.getAudit(planned.plan.requestId)).toMatchObject({ outcome: 'not-sent' });
    expect(await store.acquireLocks([ID], 'r-next', 60)).toEqual({ acquired: true });
  });
});

describe('SendCommand failures that prove nothing keep the lock and the request in flight', () => {
  let stub: SsmProtocolStub;
  let client: SSMClient;
  let sendClient: SSMClient;
  beforeAll(async () => {
    stub = await startSsmProtocolStub();
    const options = { region: 'us-east-1', endpoint: stub.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    client = new SSMClient(options);
    sendClient = new SSMClient({ ...options, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    sendClient.destroy();
    await stub.stop();
  });
  beforeEach(() => {
    stub.reset();
    stub.addNode(ID, { tags: { [ALLOW.key]: ALLOW.value } });
  });

  const gateway = () => new AwsSsmGateway({ client, sendClient, allowTag: ALLOW, documents: DOCUMENTS, sendThrottleRetry: { attempts: 1, baseDelayMs: 1 } });

  it.each<[string, SsmFailure]>([
    ['a 500 (it may have landed)', { status: 500, type: 'InternalServerError' }],
    ['a connection destroyed after the request was written', { destroy: true }],
    ['a 200 whose body fails validation', { status: 200, body: { Command: { CommandId: 'not-36-characters' } } }],
  ])('%s: "cannot tell", Run Command history by request id, lock kept, still in flight', async (_name, failure) => {
    // Prepare
    const { store, restart } = world(gateway());
    stub.failNext('SendCommand', failure);

    // Act
    const first = await restart();
    const second = await restart();

    // Assess
    expect(first).toMatchObject({ kind: 'failed', message: expect.stringContaining('cannot tell whether it runs') });
    expect(first.kind === 'failed' && first.message).toContain(`comment \`${first.kind === 'failed' ? first.requestId : ''}\``);
    expect(first.kind === 'failed' && first.message).not.toMatch(/nothing ran/i);
    expect(second.kind).toBe('locked');
    const inFlight = await store.listInFlight();
    expect(inFlight.map((entry) => entry.requestId)).toEqual([first.kind === 'failed' ? first.requestId : '']);
    expect((await store.getAudit(first.kind === 'failed' ? first.requestId : ''))?.outcome).toBeUndefined();
  });

  it.each<[string, SsmFailure]>([
    ['InvalidInstanceId', { status: 400, type: 'InvalidInstanceId' }],
    ['AccessDeniedException', { status: 400, type: 'AccessDeniedException' }],
    ['ThrottlingException', { status: 400, type: 'ThrottlingException' }],
  ])('a client fault named %s proves a rejection: nothing ran, the lock is released', async (_name, failure) => {
    // Prepare
    const { store, restart } = world(gateway());
    stub.failNext('SendCommand', failure);

    // Act
    const first = await restart();
    const second = await restart();

    // Assess
    expect(first).toMatchObject({ kind: 'failed', message: expect.stringMatching(/nothing ran/i) });
    expect((await store.getAudit(first.kind === 'failed' ? first.requestId : ''))?.outcome).toBe('not-sent');
    expect(second.kind).toBe('sent');
  });

  it('the sweeper later tells the thread that the outcome is unknown, keeping the lock', async () => {
    // Prepare
    const { store, deps, posts, restart, at } = world(gateway());
    stub.failNext('SendCommand', { status: 500, type: 'InternalServerError' });
    const first = await restart();

    // Act
    at(6);
    const report = await sweepInFlight(deps);
    const second = await restart();

    // Assess
    expect(report.interrupted).toBe(1);
    expect(posts.join('\n')).toContain('could not confirm that SSM accepted the command');
    expect((await store.getAudit(first.kind === 'failed' ? first.requestId : ''))?.outcome).toBe('unknown');
    expect(second.kind).toBe('locked');
  });
});
