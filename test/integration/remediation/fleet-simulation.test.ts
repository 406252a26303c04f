import { DescribeInstanceInformationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoRemediationStore } from '../../../lambda/aws/remediation-store';
import { planWaves } from '../../../lambda/remediation/fleet/waves';
import { FLEET_TABLE_ACTION_ID } from '../../../lambda/slack/remediation/fleet-progress-message';
import { FLEET_TABLE_COPY } from '../../../lambda/slack/remediation/fleet-table-listener';
import { maxTablePosts } from '../../../lambda/slack/remediation/fleet-table-message';
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


describe('"Show per-instance table" through the real Slack handler', () => {
  test('posts every instance of a 1,000-host request once, failures first, in the status message\'s thread, within the post bound', async () => {
    // Prepare: a fleet request in the table as the rollout leaves it (outcomes for some, the rest in flight or waiting)
    const store = new DynamoRemediationStore({ tableName: world.dynamo.tableName, client: world.dynamo.client });
    const instanceIds = Array.from({ length: 1_000 }, (_, n) => `i-${(0xe00000 + n).toString(16).padStart(17, '0')}`);
    const waves = planWaves(instanceIds);
    const requestId = 'r-tablebutton1';
    await store.createFleet({
      requestId, phase: 'restart', purpose: 'restart', target: 'tag:team=payments', channelId: 'C0CHANNEL1', requestedBy: world.operator, instanceIds,
      createdAt: new Date().toISOString(), startedAt: Date.now(), giveUpAt: Date.now() + 3_600_000, waves, withDocker: [], maxFailures: 0,
    });
    const failed = instanceIds[123] ?? '';
    // The first three waves ended (dynalite takes ~50 ms an outcome here: more would only slow the test down).
    for (const [n, instanceId] of instanceIds.slice(0, 150).entries()) {
      await store.recordOutcome(requestId, { instanceId, wave: Math.floor(n / 50) + 1, outcome: instanceId === failed ? 'failed' : 'restarted', detail: instanceId === failed ? 'containerd did not come back' : 'containerd 2.0.0 running', sent: true });
    }
    const postsBefore = world.slack.calls('chat.postMessage').length;
    const statusTs = '1800000000.000777';

    // Act
    const clicked = await world.click(FLEET_TABLE_ACTION_ID, requestId, { ephemeral: false, messageTs: statusTs });

    // Assess
    expect(clicked.statusCode).toBe(200);
    const posts = world.slack.calls('chat.postMessage').slice(postsBefore);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.length).toBeLessThanOrEqual(maxTablePosts(1_000));
    expect(posts.every((post) => post.body.thread_ts === statusTs && post.body.channel === 'C0CHANNEL1')).toBe(true);
    const table = posts.map((post) => JSON.stringify(post.body.blocks)).join('\n');
    for (const id of instanceIds) expect(table.split(`\`${id}\``)).toHaveLength(2);
    expect(table.indexOf(failed)).toBeLessThan(table.indexOf(instanceIds[0] ?? ''));
    expect(table).toContain(`\`${instanceIds[0]}\` *restarted*`);
    expect(table).toContain(`\`${instanceIds[999]}\` *waiting*`);
  }, 120_000);

  test('a forged or unknown request id posts nothing and tells the clicker', async () => {
    // Prepare
    const postsBefore = world.slack.calls('chat.postMessage').length;
    const answersBefore = world.slack.calls('response_url').length;

    // Act
    await world.click(FLEET_TABLE_ACTION_ID, 'r-nosuchrequest', { ephemeral: false });
    await world.click(FLEET_TABLE_ACTION_ID, '<!channel>', { ephemeral: false });

    // Assess
    expect(world.slack.calls('chat.postMessage').slice(postsBefore)).toEqual([]);
    const answers = world.slack.calls('response_url').slice(answersBefore).map((call) => call.body.text);
    expect(answers).toEqual([FLEET_TABLE_COPY.unknownRequest, FLEET_TABLE_COPY.unknownRequest]);
  });
});
