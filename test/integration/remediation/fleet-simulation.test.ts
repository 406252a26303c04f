import { DescribeInstanceInformationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startFleetWorld, type FleetWorld } from '../../helpers/fleet-simulation';
import { SSM_LIMITS } from '../../helpers/ssm-protocol-stub';

/**
 * Issue 13 point 5: a 1,000-instance fleet on loopback through the real handlers (see test/helpers/fleet-simulation.ts).
 * DynamoDB is dynalite, as in every integration test: the status handler needs the table the Slack handler writes.
 */
let world: FleetWorld;
let ssmClient: SSMClient;

beforeAll(async () => {
  world = await startFleetWorld();
  ssmClient = new SSMClient({ endpoint: world.ssm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  ssmClient?.destroy();
  await world?.stop();
});

describe('the SSM stub at fleet size, through the real SDK', () => {
  test('DescribeInstanceInformation pages 1,000 tagged instances 50 at a time, with both tag filters', async () => {
    // Prepare
    const fleet = world.addFleet({ size: 1_000, seed: 11 });
    world.ssm.addNode('i-0ffffffffffffffff', { tags: { 'shim-fix': 'enabled' } });

    // Act
    const seen: string[] = [];
    let pages = 0;
    let nextToken: string | undefined;
    do {
      const page = await ssmClient.send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'tag:shim-fix', Values: ['enabled'] }, { Key: `tag:${fleet.tag.key}`, Values: [fleet.tag.value] }],
          MaxResults: 50,
          NextToken: nextToken,
        }),
      );
      pages += 1;
      seen.push(...(page.InstanceInformationList ?? []).map((info) => info.InstanceId ?? ''));
      nextToken = page.NextToken;
    } while (nextToken);

    // Assess
    expect(pages).toBe(20);
    expect(seen.sort()).toEqual(fleet.instanceIds);
    await expect(ssmClient.send(new DescribeInstanceInformationCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('SendCommand refuses more than 50 instance ids, as SSM does, and a tag target reaches every tagged node', async () => {
    // Prepare
    const fleet = world.addFleet({ size: 60, seed: 12 });
    const before = world.ssm.commands().length;

    // Act
    const tooMany = ssmClient.send(new SendCommandCommand({ DocumentName: 'ShimFix-CheckContainerRuntime', InstanceIds: fleet.instanceIds.slice(0, SSM_LIMITS.sendCommandInstanceIds + 1) }));
    await expect(tooMany).rejects.toMatchObject({ name: 'ValidationException' });
    const byTag = await ssmClient.send(
      new SendCommandCommand({ DocumentName: 'ShimFix-CheckContainerRuntime', Targets: [{ Key: 'tag:shim-fix', Values: ['enabled'] }, { Key: `tag:${fleet.tag.key}`, Values: [fleet.tag.value] }] }),
    );

    // Assess
    expect(world.ssm.commands()).toHaveLength(before + 1);
    expect(world.ssm.instancesOf(byTag.Command?.CommandId ?? '').sort()).toEqual(fleet.instanceIds);
    const verdictOf = (id: string) => fleet.verdicts.get(id);
    const first = fleet.instanceIds[0] ?? '';
    const invocation = world.ssm.invocationOf(byTag.Command?.CommandId ?? '', first);
    expect(invocation?.Status).toBe(verdictOf(first) === 'no-result' ? 'Failed' : 'Success');
  });
});
