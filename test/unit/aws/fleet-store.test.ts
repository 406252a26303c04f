import { DynamoRemediationStore, type RemediationStore } from '../../../lambda/aws/remediation-store';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { NewFleetRecord } from '../../../lambda/remediation/fleet/fleet-store';
import { startLocalDynamo, type LocalDynamo } from '../../helpers/dynamo';

const START = Date.parse('2026-01-02T03:00:00.000Z');
const ids = (count: number) => Array.from({ length: count }, (_, index) => `i-${index.toString(16).padStart(17, '0')}`);

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo.stop());

const factories: Array<[string, () => Promise<RemediationStore>]> = [
  ['DynamoRemediationStore (dynalite)', async () => new DynamoRemediationStore({ tableName: await dynamo.createTable(), client: dynamo.client, now: () => START })],
  ['InMemoryRemediationStore', async () => new InMemoryRemediationStore({ now: () => START })],
];

function fleet(overrides: Partial<NewFleetRecord> = {}): NewFleetRecord {
  const instanceIds = ids(4);
  return {
    requestId: 'r-fleet',
    phase: 'restart',
    purpose: 'restart',
    target: 'tag:team=payments',
    channelId: 'C1',
    requestedBy: 'U111',
    instanceIds,
    createdAt: new Date(START).toISOString(),
    startedAt: START,
    giveUpAt: START + 60_000,
    waves: [instanceIds.slice(0, 2), instanceIds.slice(2)],
    withDocker: [],
    maxFailures: 0,
    ...overrides,
  };
}

describe.each(factories)('fleet items: %s', (_name, create) => {
  it('records each finding once, counts it once, and lists them by instance', async () => {
    // Prepare
    const store = await create();
    await store.createFleet(fleet({ phase: 'check', waves: [] }));
    const [a, b] = ids(2) as [string, string];
    // Act
    const first = await store.recordFinding('r-fleet', { instanceId: b, category: 'healthy', verdict: 'healthy', detail: 'fine' });
    const repeat = await store.recordFinding('r-fleet', { instanceId: b, category: 'restart-fixes', verdict: 'stale-daemon', detail: 'late and different' });
    const second = await Promise.all([0, 1, 2].map(() => store.recordFinding('r-fleet', { instanceId: a, category: 'unreachable', verdict: 'no-result', detail: 'x' })));
    // Assess
    expect(first?.reported).toBe(1);
    expect(repeat).toBeUndefined();
    expect(second.filter((record) => record !== undefined)).toHaveLength(1);
    expect((await store.getFleet('r-fleet'))?.reported).toBe(2);
    expect((await store.listFindings('r-fleet')).map((finding) => [finding.instanceId, finding.category])).toEqual([
      [a, 'unreachable'],
      [b, 'healthy'],
    ]);
  });

  it('records outcomes once, moving the counters and the wave end count of sent hosts only', async () => {
    // Prepare
    const store = await create();
    await store.createFleet(fleet());
    const [a, b, c] = ids(3) as [string, string, string];
    // Act
    await store.setWaveSent('r-fleet', 1, 2);
    await store.recordOutcome('r-fleet', { instanceId: a, wave: 1, outcome: 'restarted', detail: 'Success', sent: true });
    const repeat = await store.recordOutcome('r-fleet', { instanceId: a, wave: 1, outcome: 'failed', detail: 'late', sent: true });
    await store.recordOutcome('r-fleet', { instanceId: b, wave: 1, outcome: 'failed', detail: 'Failed', sent: true });
    const last = await store.recordOutcome('r-fleet', { instanceId: c, wave: 2, outcome: 'skipped', detail: 'stopped after the first failure', sent: false });
    // Assess
    expect(repeat).toBeUndefined();
    expect(last).toMatchObject({ reported: 3, done: 1, failed: 1, skipped: 1, unknown: 0, waveSent: { 1: 2 }, waveEnded: { 1: 2 } });
    expect(last?.waveEnded[2]).toBeUndefined();
    expect((await store.listOutcomes('r-fleet')).map((outcome) => outcome.outcome)).toEqual(['restarted', 'failed', 'skipped']);
  });

  it('claims a wave, the halt and the completion once each', async () => {
    // Prepare
    const store = await create();
    await store.createFleet(fleet());
    // Act
    const waves = await Promise.all([store.claimWave('r-fleet', 1), store.claimWave('r-fleet', 1), store.claimWave('r-fleet', 2)]);
    const halts = [await store.haltFleet('r-fleet', 'stopped after the first failure'), await store.haltFleet('r-fleet', 'other')];
    const completions = await Promise.all([store.claimFleetCompletion('r-fleet'), store.claimFleetCompletion('r-fleet')]);
    // Assess
    expect(waves).toEqual([true, false, true]);
    expect(halts).toEqual([true, false]);
    expect(completions.filter(Boolean)).toHaveLength(1);
    expect(await store.getFleet('r-fleet')).toMatchObject({ haltedReason: 'stopped after the first failure', completedAt: new Date(START).toISOString() });
  });

  it('points every batch command at its request and keeps the list', async () => {
    // Prepare
    const store = await create();
    await store.createFleet(fleet());
    // Act
    await store.addFleetCommand('r-fleet', '11111111-1111-1111-1111-111111111111');
    await store.addFleetCommand('r-fleet', '22222222-2222-2222-2222-222222222222');
    // Assess
    expect(await store.findRequestByCommand('22222222-2222-2222-2222-222222222222')).toBe('r-fleet');
    expect((await store.getFleet('r-fleet'))?.commandIds).toEqual(['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222']);
  });

  it('lets one of two concurrent renders claim against the same read, and the final render exactly once', async () => {
    // Prepare
    const store = await create();
    await store.createFleet(fleet());
    // Act
    const first = await Promise.all([store.claimProgressRender('r-fleet', undefined, 1_000, false), store.claimProgressRender('r-fleet', undefined, 1_001, false)]);
    const stale = await store.claimProgressRender('r-fleet', undefined, 9_000, false);
    const read = (await store.getFleet('r-fleet'))?.progressRenderedAt;
    const next = await store.claimProgressRender('r-fleet', read, 9_000, false);
    const finals = [await store.claimProgressRender('r-fleet', 1, 10_000, true), await store.claimProgressRender('r-fleet', 10_000, 11_000, true)];
    const after = await store.claimProgressRender('r-fleet', 10_000, 20_000, false);
    // Assess
    expect(first.filter(Boolean)).toHaveLength(1);
    expect([stale, next]).toEqual([false, true]);
    expect(finals).toEqual([true, false]);
    expect(after).toBe(false);
  });

  it('reads the per-instance table: outcomes, then in-flight for sent waves, waiting for the rest', async () => {
    // Prepare
    const store = await create();
    await store.createFleet(fleet());
    const [a, b, c, d] = ids(4) as [string, string, string, string];
    await store.setWaveSent('r-fleet', 1, 2);
    await store.recordOutcome('r-fleet', { instanceId: a, wave: 1, outcome: 'restarted', detail: 'Success', sent: true });
    // Act
    const table = await store.readFleetTable('r-fleet');
    // Assess
    expect(table).toEqual({
      requestId: 'r-fleet',
      target: 'tag:team=payments',
      rows: [
        { instanceId: a, outcome: 'restarted', detail: 'Success' },
        { instanceId: b, outcome: 'in-flight', detail: 'wave 1' },
        { instanceId: c, outcome: 'waiting', detail: 'wave 2' },
        { instanceId: d, outcome: 'waiting', detail: 'wave 2' },
      ],
    });
    expect(await store.readFleetTable('r-none')).toBeUndefined();
  });
});
