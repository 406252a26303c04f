import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { SsmGateway } from '../../../lambda/aws/ssm-gateway';
import { AwsCallError } from '../../../lambda/core/remediation/errors';
import { RemediationService, type StatusPublisher } from '../../../lambda/remediation/remediation-service';

const ID = 'i-0123456789abcdef0';
const NOW = Date.parse('2026-01-02T03:00:00.000Z');
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function fakeSsm(overrides: Partial<SsmGateway> = {}): SsmGateway & { sent: number } {
  const gateway = {
    sent: 0,
    describeInstance: async (instanceId: string) => ({ instanceId, hasAllowTag: true, instance: { instanceId, pingStatus: 'Online', platformType: 'Linux' } }),
    describeFleet: async () => ({ tag: { key: 'team', value: 'a' }, eligible: [], truncated: false }),
    documentVersion: async (name: string) => ({ name, version: '1' }),
    sendCommand: async () => {
      gateway.sent += 1;
      return { commandId: '11111111-2222-3333-4444-555555555555' };
    },
    getCommandInvocation: async () => {
      throw new Error('unused');
    },
    listCommandInvocations: async () => [],
    ...overrides,
  };
  return gateway;
}

const publisher: StatusPublisher = { post: async () => ({ channel: 'C1', ts: '1.1' }), refresh: async () => undefined };

function service(store: InMemoryRemediationStore, ssm: SsmGateway, operators = ['U111']) {
  let counter = 0;
  return new RemediationService({
    operators,
    allowTag: { key: 'shim-fix', value: 'enabled' },
    restartDocument: 'ShimFix-RestartContainerRuntime',
    checkDocument: 'ShimFix-CheckContainerRuntime',
    ssm,
    store,
    logger: silent,
    newId: (prefix) => `${prefix}-${++counter}`,
    now: () => NOW,
  });
}

describe('RemediationService', () => {
  it('reports a sent command honestly when recording it fails afterwards', async () => {
    // Prepare
    const store = new InMemoryRemediationStore({ now: () => NOW });
    store.recordCommand = async () => {
      throw new Error('DynamoDB unavailable');
    };
    const ssm = fakeSsm();
    const remediation = service(store, ssm);
    const planned = await remediation.plan({ userId: 'U111', channelId: 'C1', action: 'restart', targetText: ID });
    if (planned.kind !== 'plan') throw new Error('expected a plan');

    // Act
    const outcome = await remediation.confirm({ planId: planned.plan.planId, userId: 'U111', publisher });

    // Assess
    expect(ssm.sent).toBe(1);
    expect(outcome).toMatchObject({ kind: 'sent', warning: expect.stringContaining('Follow command `11111111-2222-3333-4444-555555555555`') });
  });

  it('takes no lock for a read-only check', async () => {
    // Prepare
    const store = new InMemoryRemediationStore({ now: () => NOW });
    const remediation = service(store, fakeSsm());
    await store.acquireLocks([ID], 'r-running-restart', 600);
    const planned = await remediation.plan({ userId: 'U111', channelId: 'C1', action: 'check', targetText: ID });
    if (planned.kind !== 'plan') throw new Error('expected a plan');

    // Act
    const outcome = await remediation.confirm({ planId: planned.plan.planId, userId: 'U111', publisher });

    // Assess
    expect(outcome.kind).toBe('sent');
  });

  it('audits a refusal with who asked and why', async () => {
    // Prepare
    const store = new InMemoryRemediationStore({ now: () => NOW });
    const remediation = service(store, fakeSsm(), []);

    // Act
    const outcome = await remediation.plan({ userId: 'U999', channelId: 'C1', action: 'restart', targetText: ID });

    // Assess
    expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringContaining('SHIM_FIX_OPERATORS') });
    expect(await store.getAudit('r-1')).toMatchObject({ requestedBy: 'U999', target: ID, outcome: 'refused', state: 'closed' });
  });

  it('turns a preflight AWS failure into its specific message, and sends nothing', async () => {
    // Prepare
    const store = new InMemoryRemediationStore({ now: () => NOW });
    const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    const ssm = fakeSsm({
      describeInstance: async () => {
        throw new AwsCallError('access-denied', 'DescribeInstanceInformation', 'AccessDeniedException', 'denied', { cause: denied });
      },
    });

    // Act
    const outcome = await service(store, ssm).plan({ userId: 'U111', channelId: 'C1', action: 'check', targetText: ID });

    // Assess
    expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringContaining('AWS refused DescribeInstanceInformation') });
    expect(ssm.sent).toBe(0);
    expect((await store.getAudit('r-1'))?.outcome).toBe('not-sent');
  });
});

describe('RemediationService fleet locks', () => {
  it('holds fleet locks long enough for a one-at-a-time rollout of every instance', async () => {
    // Prepare
    const store = new InMemoryRemediationStore({ now: () => NOW });
    const ids = ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c'];
    const eligible = ids.map((instanceId) => ({ instanceId, pingStatus: 'Online', platformType: 'Linux' }));
    const ssm = fakeSsm({ describeFleet: async (tag) => ({ tag, eligible, truncated: false }) });
    const remediation = service(store, ssm);
    const planned = await remediation.plan({ userId: 'U111', channelId: 'C1', action: 'restart', targetText: 'tag:team=a' });
    if (planned.kind !== 'plan') throw new Error('expected a plan');
    const locks: number[] = [];
    const acquire = store.acquireLocks.bind(store);
    store.acquireLocks = async (instanceIds, requestId, ttlSeconds) => {
      locks.push(ttlSeconds);
      return acquire(instanceIds, requestId, ttlSeconds);
    };

    // Act
    await remediation.confirm({ planId: planned.plan.planId, userId: 'U111', publisher });

    // Assess
    // The sweeper gives up after 60 min + 10 per extra instance; the lock outlives that by two sweep periods.
    expect(locks).toEqual([(60 + 2 * 10) * 60 + 2 * 5 * 60]);
  });
});
