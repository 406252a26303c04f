import { DynamoRemediationStore, RESULT_POST_LEASE_SECONDS, type RemediationStore } from '../../../lambda/aws/remediation-store';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { buildPlan } from '../../../lambda/core/remediation/plan';
import { startLocalDynamo, type LocalDynamo } from '../../helpers/dynamo';

const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';
const START = Date.parse('2026-01-02T03:00:00.000Z');

interface Harness {
  store: RemediationStore;
  clock: { now: number };
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo.stop());

const factories: Array<[string, () => Promise<Harness>]> = [
  [
    'DynamoRemediationStore (dynalite)',
    async () => {
      const clock = { now: START };
      const tableName = await dynamo.createTable();
      return { clock, store: new DynamoRemediationStore({ tableName, client: dynamo.client, now: () => clock.now }) };
    },
  ],
  [
    'InMemoryRemediationStore',
    async () => {
      const clock = { now: START };
      return { clock, store: new InMemoryRemediationStore({ now: () => clock.now }) };
    },
  ],
];

function plan(planId = 'p-1', requestId = 'r-1') {
  return buildPlan({
    planId,
    requestId,
    action: 'restart',
    target: { kind: 'instance', instanceId: A },
    requestedBy: 'U111',
    channelId: 'C1',
    document: { name: 'ShimFix-RestartContainerRuntime', version: '3' },
    instanceIds: [A],
    now: new Date(START),
  });
}

const audit = (requestId = 'r-1') => ({
  requestId,
  action: 'restart' as const,
  target: A,
  requestedBy: 'U111',
  channelId: 'C1',
  createdAt: new Date(START).toISOString(),
  state: 'planned',
  instanceIds: [A],
});

describe.each(factories)('%s', (_name, create) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await create();
  });

  describe('pending plans', () => {
    it('lets exactly one of two concurrent clicks confirm a plan and tells the other who did', async () => {
      // Prepare
      const { store } = harness;
      await store.savePlan(plan());

      // Act
      const [first, second] = await Promise.all([store.claimPlan('p-1', 'U111', 'confirmed'), store.claimPlan('p-1', 'U111', 'confirmed')]);

      // Assess
      const results = [first, second];
      expect(results.filter((claim) => claim.claimed)).toHaveLength(1);
      expect(results.find((claim) => !claim.claimed)).toMatchObject({ claimed: false, reason: 'already-confirmed', by: 'U111' });
      expect(results.find((claim) => claim.claimed)).toMatchObject({ plan: { planId: 'p-1', instanceIds: [A] } });
    });

    it('refuses a plan after it expired, a cancelled plan and an unknown plan', async () => {
      // Prepare
      const { store, clock } = harness;
      await store.savePlan(plan('p-old'));
      await store.savePlan(plan('p-cancel'));
      await store.claimPlan('p-cancel', 'U111', 'cancelled');
      clock.now = START + 11 * 60 * 1000;

      // Act
      const expired = await store.claimPlan('p-old', 'U111', 'confirmed');
      const cancelled = await store.claimPlan('p-cancel', 'U111', 'confirmed');
      const missing = await store.claimPlan('p-none', 'U111', 'confirmed');

      // Assess
      expect(expired).toMatchObject({ claimed: false, reason: 'expired' });
      expect(cancelled).toMatchObject({ claimed: false, reason: 'already-cancelled' });
      expect(missing).toEqual({ claimed: false, reason: 'missing' });
    });
  });

  describe('locks', () => {
    it('refuses a second request on a locked instance and names the running request', async () => {
      // Prepare
      const { store } = harness;
      await store.acquireLocks([A], 'r-1', 1800);

      // Act
      const second = await store.acquireLocks([A], 'r-2', 1800);

      // Assess
      expect(second).toEqual({ acquired: false, instanceId: A, heldBy: 'r-1', since: new Date(START).toISOString() });
    });

    it('takes all locks of a fleet or none', async () => {
      // Prepare
      const { store } = harness;
      await store.acquireLocks([B], 'r-1', 1800);

      // Act
      const fleet = await store.acquireLocks([A, B], 'r-2', 1800);
      const single = await store.acquireLocks([A], 'r-3', 1800);

      // Assess
      expect(fleet).toMatchObject({ acquired: false, instanceId: B, heldBy: 'r-1' });
      expect(single).toEqual({ acquired: true });
    });

    it('frees a lock on release by its owner only, and after its TTL even if never released', async () => {
      // Prepare
      const { store, clock } = harness;
      await store.acquireLocks([A], 'r-1', 60);
      await store.acquireLocks([B], 'r-1', 60);

      // Act
      await store.releaseLocks([A], 'r-other');
      const stillHeld = await store.acquireLocks([A], 'r-2', 60);
      await store.releaseLocks([A], 'r-1');
      const afterRelease = await store.acquireLocks([A], 'r-2', 60);
      clock.now = START + 61 * 1000;
      const afterTtl = await store.acquireLocks([B], 'r-3', 60);

      // Assess
      expect(stillHeld).toMatchObject({ acquired: false, heldBy: 'r-1' });
      expect(afterRelease).toEqual({ acquired: true });
      expect(afterTtl).toEqual({ acquired: true });
    });
  });

  describe('audit records', () => {
    it('keeps who, what, where, the command id and every state change in order, and closes once', async () => {
      // Prepare
      const { store, clock } = harness;
      await store.createAudit(audit());

      // Act
      clock.now += 1000;
      await store.recordCommand('r-1', 'cmd-1', { name: 'ShimFix-RestartContainerRuntime', version: '3' });
      await store.setStatusMessage('r-1', { channel: 'C1', ts: '1.2' });
      clock.now += 1000;
      const closed = await store.closeAudit('r-1', 'succeeded', 'containerd restarted');
      const closedAgain = await store.closeAudit('r-1', 'failed');

      // Assess
      expect(closed).toBe(true);
      expect(closedAgain).toBe(false);
      expect(await store.findRequestByCommand('cmd-1')).toBe('r-1');
      expect(await store.getAudit('r-1')).toMatchObject({
        requestedBy: 'U111',
        target: A,
        commandId: 'cmd-1',
        statusMessage: { channel: 'C1', ts: '1.2' },
        outcome: 'succeeded',
        outcomeDetail: 'containerd restarted',
        closedAt: '2026-01-02T03:00:02.000Z',
      });
      const events = await store.getEvents('r-1');
      expect(events.map((event) => event.type)).toEqual(['planned', 'sent', 'closed:succeeded']);
      expect(events[0]).toMatchObject({ by: 'U111', at: '2026-01-02T03:00:00.000Z' });
    });

    it('moves instance statuses only forward: duplicates and late events change nothing', async () => {
      // Prepare
      const { store } = harness;
      await store.createAudit(audit());

      // Act
      const applied = [];
      for (const status of ['InProgress', 'Pending', 'Success', 'InProgress', 'Success', 'Failed']) {
        applied.push(await store.recordInstanceStatus('r-1', A, status));
      }

      // Assess
      expect(applied).toEqual([true, false, true, false, false, false]);
      expect((await store.getAudit('r-1'))?.instances[A]?.status).toBe('Success');
    });

    it('lets one caller post a result, and another after the first gave the claim back', async () => {
      // Prepare
      const { store } = harness;
      await store.createAudit(audit());

      // Act
      const first = await store.claimResultPost('r-1', A);
      const duplicate = await store.claimResultPost('r-1', A);
      await store.releaseResultPost('r-1', A);
      const retry = await store.claimResultPost('r-1', A);

      // Assess
      expect([first, duplicate, retry]).toEqual([true, false, true]);
    });

    it('lets a result claim whose holder never posted be taken over after its lease, but never a posted one', async () => {
      // Prepare
      const { store, clock } = harness;
      await store.createAudit(audit());
      await store.claimResultPost('r-1', A);
      await store.claimResultPost('r-1', B);
      await store.completeResultPost('r-1', B);

      // Act
      const duringLease = await store.claimResultPost('r-1', A);
      const pendingIsPosted = await store.isResultPosted('r-1', A);
      clock.now += (RESULT_POST_LEASE_SECONDS + 1) * 1000;
      const afterLease = [await store.claimResultPost('r-1', A), await store.claimResultPost('r-1', B)];

      // Assess
      expect(duringLease).toBe(false);
      expect(pendingIsPosted).toBe(false);
      expect(afterLease).toEqual([true, false]);
      expect(await store.isResultPosted('r-1', B)).toBe(true);
    });

    it('records the command status forward only', async () => {
      // Prepare
      const { store } = harness;
      await store.createAudit(audit());

      // Act
      const results = [await store.recordCommandStatus('r-1', 'Success'), await store.recordCommandStatus('r-1', 'InProgress')];

      // Assess
      expect(results).toEqual([true, false]);
      expect((await store.getAudit('r-1'))?.commandStatus?.status).toBe('Success');
    });
  });
  describe('in-flight index (for the sweeper when status events are lost)', () => {
    it('lists a sent command, oldest first, until its audit record is closed', async () => {
      // Prepare
      const { store, clock } = harness;
      await store.createAudit(audit('r-1'));
      await store.createAudit(audit('r-2'));
      await store.recordCommand('r-1', 'cmd-1', { name: 'ShimFix-RestartContainerRuntime', version: '3' });
      clock.now += 1000;
      await store.recordCommand('r-2', 'cmd-2', { name: 'ShimFix-RestartContainerRuntime', version: '3' });

      // Act
      const before = await store.listInFlight();
      await store.closeAudit('r-1', 'succeeded');
      const after = await store.listInFlight();

      // Assess
      expect(before).toEqual([
        { requestId: 'r-1', commandId: 'cmd-1', sentAt: START },
        { requestId: 'r-2', commandId: 'cmd-2', sentAt: START + 1000 },
      ]);
      expect(after.map((entry) => entry.requestId)).toEqual(['r-2']);
    });

    it('lists a request being sent without a command id, until its command is recorded', async () => {
      // Prepare
      const { store, clock } = harness;
      await store.createAudit(audit('r-1'));

      // Act
      await store.markSending('r-1', 'preparing');
      const preparing = await store.listInFlight();
      await store.markSending('r-1');
      const sending = await store.listInFlight();
      clock.now += 500;
      await store.recordCommand('r-1', 'cmd-1', { name: 'ShimFix-RestartContainerRuntime', version: '3' });
      const sent = await store.listInFlight();

      // Assess
      expect(preparing).toEqual([{ requestId: 'r-1', sentAt: START, stage: 'preparing' }]);
      expect(sending).toEqual([{ requestId: 'r-1', sentAt: START, stage: 'sending' }]);
      expect(sent).toEqual([{ requestId: 'r-1', commandId: 'cmd-1', sentAt: START + 500 }]);
    });

    it('drops an entry whose request was already closed, and removing an unknown one is fine', async () => {
      // Prepare
      const { store } = harness;
      await store.createAudit(audit('r-1'));
      await store.recordCommand('r-1', 'cmd-1', { name: 'ShimFix-RestartContainerRuntime', version: '3' });
      await store.closeAudit('r-1', 'failed');
      await store.recordCommand('r-1', 'cmd-1', { name: 'ShimFix-RestartContainerRuntime', version: '3' });

      // Act
      const closedAgain = await store.closeAudit('r-1', 'succeeded');
      await store.removeInFlight('r-unknown');

      // Assess
      expect(closedAgain).toBe(false);
      expect(await store.listInFlight()).toEqual([]);
    });
  });
});

describe('DynamoRemediationStore plan read back at Confirm', () => {
  it('refuses a stored plan whose target is not an instance id or a fleet (validated, not trusted)', async () => {
    // Prepare: someone with write access to the table rewrites a pending plan's target.
    const tableName = await dynamo.createTable();
    const store = new DynamoRemediationStore({ tableName, client: dynamo.client, now: () => START });
    await store.savePlan(plan('p-tampered'));
    const { DynamoDBDocumentClient, PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const tampered = { ...plan('p-tampered'), target: { kind: 'instance', instanceId: 'i-0aaaaaaaaaaaaaaaa; reboot' } };
    await DynamoDBDocumentClient.from(dynamo.client).send(new PutCommand({ TableName: tableName, Item: { pk: 'plan#p-tampered', sk: 'plan', plan: tampered, state: 'pending', expiresAt: tampered.expiresAt } }));

    // Act
    const read = await store.getPlan('p-tampered').catch((error: unknown) => error);

    // Assess
    expect(read).toBeInstanceOf(Error);
  });
});
