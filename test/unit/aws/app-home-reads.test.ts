import { DynamoKnowledgeGapStore, InMemoryKnowledgeGapStore, type KnowledgeGapStore } from '../../../lambda/aws/knowledge-gap-store';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { DynamoRemediationStore, type RemediationStore } from '../../../lambda/aws/remediation-store';
import { GAP_RETENTION_SECONDS, gapFromPaste } from '../../../lambda/core/knowledge-gaps/gaps';
import { startLocalDynamo, type LocalDynamo } from '../../helpers/dynamo';

const START = Date.parse('2026-01-02T03:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

interface Harness {
  remediation: RemediationStore;
  gaps: KnowledgeGapStore;
  clock: { now: number };
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo.stop());

const factories: Array<[string, () => Promise<Harness>]> = [
  [
    'DynamoDB (dynalite)',
    async () => {
      const clock = { now: START };
      const tableName = await dynamo.createTable();
      const now = () => clock.now;
      return { clock, remediation: new DynamoRemediationStore({ tableName, client: dynamo.client, now }), gaps: new DynamoKnowledgeGapStore({ tableName, client: dynamo.client, now }) };
    },
  ],
  [
    'in memory',
    async () => {
      const clock = { now: START };
      const now = () => clock.now;
      return { clock, remediation: new InMemoryRemediationStore({ now }), gaps: new InMemoryKnowledgeGapStore(now) };
    },
  ],
];

const audit = (requestId: string, minute: number) => ({
  requestId,
  action: 'restart' as const,
  target: 'i-0aaaaaaaaaaaaaaaa',
  requestedBy: 'U111',
  channelId: 'C1',
  createdAt: new Date(START + minute * 60_000).toISOString(),
  state: 'planned',
  instanceIds: ['i-0aaaaaaaaaaaaaaaa'],
});

describe.each(factories)('App Home reads, %s', (_name, create) => {
  test('listRecentAudits returns the newest requests first, at most the limit, with their outcome', async () => {
    // Prepare
    const { remediation } = await create();
    for (const [id, minute] of [['r-1', 1], ['r-3', 3], ['r-2', 2]] as const) await remediation.createAudit(audit(id, minute));
    await remediation.closeAudit('r-3', 'succeeded', 'restarted');

    // Act
    const recent = await remediation.listRecentAudits(2);
    const none = await (await create()).remediation.listRecentAudits(10);

    // Assess
    expect(recent.map((record) => [record.requestId, record.outcome])).toEqual([
      ['r-3', 'succeeded'],
      ['r-2', undefined],
    ]);
    expect(none).toEqual([]);
  });

  test('knowledge gaps come back newest first and are gone after 30 days', async () => {
    // Prepare
    const { gaps, clock } = await create();
    const old = gapFromPaste('Error: cannot connect to the Docker daemon', 'abstained', START);
    const recent = gapFromPaste('ctr: failed to pull image: 403 Forbidden', 'downvoted', START + DAY, 'image-pull');
    if (old === undefined || recent === undefined) throw new Error('fixture pastes must make gaps');
    await gaps.record(old);
    await gaps.record(recent);

    // Act
    const both = await gaps.listRecent();
    clock.now = START + GAP_RETENTION_SECONDS * 1000 + 1000;
    const afterExpiry = await gaps.listRecent();

    // Assess
    expect(both).toEqual([recent, old]);
    expect(afterExpiry).toEqual([recent]);
  });
});
