import { DescribeInstanceInformationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { maxProgressUpdates } from '../../../lambda/remediation/fleet/progress';
import { planWaves, waveSize } from '../../../lambda/remediation/fleet/waves';
import { FLEET_TABLE_ACTION_ID } from '../../../lambda/slack/remediation/fleet-progress-message';
import { FLEET_TABLE_COPY } from '../../../lambda/slack/remediation/fleet-table-listener';
import { maxTablePosts } from '../../../lambda/slack/remediation/fleet-table-message';
import { buttonValue } from '../../helpers/block-kit';
import { CHECK_DOC, confirmButtonOf, RESTART_DOC, startFleetWorld, type FleetWorld, type FleetWorldOptions } from '../../helpers/fleet-simulation';
import type { RecordedCall } from '../../helpers/slack-api-stub';
import { SSM_LIMITS } from '../../helpers/ssm-protocol-stub';

/**
 * Issue 13 point 5: a 1,000-instance fleet on loopback through the real handlers (see test/helpers/fleet-simulation.ts),
 * checked, planned and restarted in rolling waves, in every run. The full flow runs twice, with the same assertions:
 * - 1,000 hosts with the remediation store in memory: one `InMemoryRemediationStore` shared by the real Slack handler
 *   and the real status handler (everything else as below). This is the size the issue asks for: on dynalite it takes
 *   about 3 minutes on 2 busy cores (~19,000 DynamoDB calls through loopback HTTP), in memory it fits every `npm test`.
 * - 100 hosts on dynalite, as every integration test: the DynamoDB store with the real protocol, its conditional
 *   writes and item sizes, which the memory store only imitates. `FLEET_SIMULATION_SIZE=1000 npx jest test/integration/
 *   remediation/fleet-simulation.test.ts` runs this one at 1,000 hosts too (about 3 minutes).
 * The stub and table tests run on the dynalite world. One world at a time: each top-level block starts its own and
 * stops it (the handlers read `process.env`, which a world sets).
 */
let world: FleetWorld;

function inFleetWorld(options: FleetWorldOptions): void {
  beforeAll(async () => {
    world = await startFleetWorld(options);
  });
  afterAll(async () => {
    await world?.stop();
  });
}

/** Only Date is faked: timers, ticks and performance stay real, so loopback I/O runs as usual while the clock jumps. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
const DYNALITE_SIZE = Number(process.env.FLEET_SIMULATION_SIZE ?? 100);
const MEMORY_SIZE = 1_000;

const hasTableButton = (call: RecordedCall): boolean => JSON.stringify(call.body.blocks ?? []).includes(FLEET_TABLE_ACTION_ID);
const idsOf = (input: Record<string, unknown>): string[] => (Array.isArray(input.InstanceIds) ? input.InstanceIds.map(String) : []);

describe('on dynalite (the DynamoDB protocol)', () => {
  inFleetWorld({ store: 'dynalite' });

  describe('the SSM stub at fleet size, through the real SDK', () => {
    let ssmClient: SSMClient;
    beforeAll(() => {
      ssmClient = new SSMClient({ endpoint: world.ssm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    });
    afterAll(() => {
      ssmClient?.destroy();
    });

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
      const { store } = world;
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

  fleetFlow(DYNALITE_SIZE);
});

describe('with the remediation store in memory (shared by both handlers)', () => {
  inFleetWorld({ store: 'memory' });
  fleetFlow(MEMORY_SIZE);

  test('the flow above went through the one store, from both handlers, and not through the table', () => {
    // Act
    const { dynamo, store } = world.counts();

    // Assess: the Slack handler claimed the plan (Confirm) and read the table button's view, the status handler recorded
    // every finding (each event comes twice) and the outcomes; the table saw at most Slack's idempotency records
    // (a 1,000-host flow on the table's store makes ~19,000 DynamoDB calls).
    expect(store.claimPlan).toBe(1);
    expect(store.readFleetTable).toBe(1);
    expect(store.recordFinding).toBeGreaterThanOrEqual(MEMORY_SIZE);
    expect(store.recordOutcome).toBeGreaterThan(0);
    const tableCalls = Object.values(dynamo).reduce((total, count) => total + count, 0);
    expect(tableCalls).toBeLessThan(100);
  });
});

/** The whole flow for a fleet of `size` in the current world: the assertions issue 13 asks for, at any size. */
function fleetFlow(size: number): void {
  describe(`${size.toLocaleString('en-US')} instances: check first, one plan card, rolling waves, bounded progress`, () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    test('every instance checked once and recorded once, only the stale ones restarted, once each, in waves of 5 %, the status message within its bound', async () => {
      // Prepare: an injected clock that each delivery round moves on by 2 s (a 1,000-host rollout takes minutes)
      jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: Date.now() });
      world.pump.useClock((ms) => jest.setSystemTime(Date.now() + ms));
      world.pump.forgetSentSoFar();
      const fleet = world.addFleet({ size, seed: 13 });
      const stale = fleet.instanceIds.filter((id) => fleet.verdicts.get(id) === 'stale');
      const commandsBefore = world.ssm.commands().length;
      const ephemeralsBefore = world.slack.calls('chat.postEphemeral').length;
      const postsBefore = world.slack.calls('chat.postMessage').length;
      const updatesBefore = world.slack.calls('chat.update').length;
      const planCards = () => world.slack.calls('chat.postEphemeral').slice(ephemeralsBefore).filter((call) => confirmButtonOf(call.body.blocks) !== undefined);

      // Act: the request, the fleet check (events late, twice, shuffled), the card
      const answer = await world.slash(`restart tag:${fleet.tag.key}=${fleet.tag.value}`);
      await world.pump.settle({ until: () => planCards().length > 0, timeoutMs: 240_000 });
      const card = planCards()[0];
      const confirm = confirmButtonOf(card?.body.blocks);
      const rolloutStartedAt = Date.now();
      const clicked = await world.click(confirm?.actionId ?? 'missing', confirm?.value ?? '');
      await world.pump.settle({ idleMs: 1_500, timeoutMs: 600_000 });
      const rolloutMs = Date.now() - rolloutStartedAt;

      // Assess: Slack got its answers
      expect(answer.statusCode).toBe(200);
      expect(clicked.statusCode).toBe(200);
      expect(world.pump.dropped).toEqual([]);

      // The check: every instance exactly once, by id, at most 50 per SendCommand
      const sent = world.ssm.commands().slice(commandsBefore);
      const checks = sent.filter((command) => command.input.DocumentName === CHECK_DOC);
      const checked = checks.flatMap((command) => idsOf(command.input));
      expect(checked.sort()).toEqual(fleet.instanceIds);
      expect(checks.every((command) => idsOf(command.input).length <= SSM_LIMITS.sendCommandInstanceIds && command.input.Targets === undefined)).toBe(true);

      // Exactly one plan card, with the measured counts
      expect(planCards()).toHaveLength(1);
      // Each finding counted once: a duplicate or late event counted again would change these numbers.
      const cardText = JSON.stringify(card?.body);
      expect(cardText).toContain(`*Checked ${size} host(s)`);
      expect(cardText).toContain(`*Restart will fix* (stale daemon after an upgrade): *${stale.length}*`);
      expect(cardText).toContain(`*Unreachable or no result*: not checked, so never restarted: *${fleet.instanceIds.filter((id) => fleet.verdicts.get(id) === 'no-result').length}*`);

      // Only the stale hosts restarted, each exactly once, in waves of ceil(5 %) of them
      const restarts = sent.filter((command) => command.input.DocumentName === RESTART_DOC);
      const restarted = restarts.flatMap((command) => idsOf(command.input));
      expect(restarted.sort()).toEqual(stale);
      expect(new Set(restarted).size).toBe(restarted.length);
      const wave = waveSize(stale.length);
      const sizes = restarts.map((command) => idsOf(command.input).length);
      expect(sizes.every((size) => size <= Math.min(wave, SSM_LIMITS.sendCommandInstanceIds))).toBe(true);
      expect(restarts.length).toBeGreaterThanOrEqual(Math.ceil(stale.length / wave));

      // One public status message, updated within the throttle's bound for the rollout's (simulated) duration
      const statusPosts = world.slack.calls('chat.postMessage').slice(postsBefore).filter((call) => call.body.thread_ts === undefined && hasTableButton(call));
      expect(statusPosts).toHaveLength(1);
      const updates = world.slack.calls('chat.update').slice(updatesBefore).filter(hasTableButton);
      expect(updates.length).toBeGreaterThan(0);
      expect(updates.length).toBeLessThanOrEqual(maxProgressUpdates(rolloutMs));
      expect(JSON.stringify(updates.at(-1)?.body)).toContain('*100 %*');

      // The thread: no post per successful host (no flood), exactly one final summary
      const threadPosts = world.slack.calls('chat.postMessage').slice(postsBefore).filter((call) => call.body.thread_ts !== undefined);
      const summaries = threadPosts.filter((call) => JSON.stringify(call.body).includes('Fleet restart finished'));
      expect(summaries).toHaveLength(1);
      expect(JSON.stringify(summaries[0]?.body)).toContain(`${stale.length} restarted, 0 failed, 0 skipped of ${stale.length}`);
      expect(threadPosts).toHaveLength(1);

      // Every instance's outcome recorded exactly once: the per-instance table lists each instance once
      const tablePostsBefore = world.slack.calls('chat.postMessage').length;
      jest.useRealTimers();
      await world.click(FLEET_TABLE_ACTION_ID, buttonValue(statusPosts[0]?.body.blocks, FLEET_TABLE_ACTION_ID), { ephemeral: false });
      const table = world.slack.calls('chat.postMessage').slice(tablePostsBefore).map((call) => JSON.stringify(call.body)).join('\n');
      for (const id of stale) expect(table.split(`\`${id}\` *restarted*`)).toHaveLength(2);
      expect(table.match(/\*restarted\*/g)).toHaveLength(stale.length);
    }, 900_000);
  });
}
