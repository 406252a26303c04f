import { SCAN_RESTART_ACTION_ID } from '../../../lambda/slack/remediation/scan-report-message';
import { buttonValue } from '../../helpers/block-kit';
import { CHECK_DOC, startFleetWorld, type FleetWorld } from '../../helpers/fleet-simulation';

/**
 * Issue 13 point 3, "Done when: the scan posts only when a stale host exists": `/shim-fix scan tag:…` through the real
 * handlers on loopback (test/helpers/fleet-simulation.ts: the real Slack handler with its in-process worker, the real
 * status handler, the SSM protocol stub, dynalite, the Slack API stub), status events late, twice and shuffled.
 */
let world: FleetWorld;

beforeAll(async () => {
  world = await startFleetWorld({ seed: 3 });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(() => world.slack.reset());

const REPORT = 'will fail new containers';
const reports = () => world.slack.calls('chat.postMessage').filter((call) => JSON.stringify(call.body).includes(REPORT));
const toOperator = () => world.slack.calls('chat.postEphemeral').map((call) => String(call.body.text));

describe('/shim-fix scan over a fleet, through the real handlers', () => {
  test('a clean fleet: every host is checked once, read-only, and the channel hears nothing; the operator is told "clean"', async () => {
    // Prepare
    const fleet = world.addFleet({ size: 40, seed: 21, mix: { healthy: 0.9, 'no-result': 0.1 } });

    // Act
    const answer = await world.slash(`scan tag:${fleet.tag.key}=${fleet.tag.value}`);
    await world.pump.settle({ until: () => toOperator().some((text) => text.includes('clean:')) });

    // Assess
    expect(answer.statusCode).toBe(200);
    const checks = world.checksPerInstance();
    expect(fleet.instanceIds.map((id) => checks.get(id))).toEqual(fleet.instanceIds.map(() => 1));
    expect(fleet.instanceIds.filter((id) => world.restartsPerInstance().has(id))).toEqual([]);
    // Nothing public at all: no report, no status message.
    expect(world.slack.calls('chat.postMessage')).toEqual([]);
    expect(toOperator().filter((text) => text.includes('clean:'))).toEqual([expect.stringContaining('40 hosts checked, none will fail new containers')]);
  });

  test('stale daemons: one report in the channel with their number and the button; the button re-checks exactly those hosts, restarting none', async () => {
    // Prepare
    const fleet = world.addFleet({ size: 120, seed: 22 });
    const stale = fleet.instanceIds.filter((id) => ['stale', 'stale-docker'].includes(fleet.verdicts.get(id) ?? ''));
    const checksBefore = world.checksPerInstance();

    // Act
    await world.slash(`scan tag:${fleet.tag.key}=${fleet.tag.value}`);
    await world.pump.settle({ until: () => reports().length > 0 });
    const [report] = reports();
    const value = buttonValue(report?.body.blocks, SCAN_RESTART_ACTION_ID);
    await world.click(SCAN_RESTART_ACTION_ID, value, { ephemeral: false });
    await world.pump.settle({ until: () => world.slack.calls('chat.postEphemeral').some((call) => JSON.stringify(call.body).includes('Restart containerd on')) });

    // Assess
    expect(reports()).toHaveLength(1);
    expect(JSON.stringify(report?.body.blocks)).toContain(`${stale.length} hosts ${REPORT}`);
    expect(JSON.stringify(report?.body.blocks)).toContain(`Restart the ${stale.length} stale hosts…`);
    const checks = world.checksPerInstance();
    // The scan checked every host once; the button checked the stale ones once more, and nobody else.
    expect(fleet.instanceIds.filter((id) => (checks.get(id) ?? 0) - (checksBefore.get(id) ?? 0) === 2)).toEqual(stale);
    expect(fleet.instanceIds.filter((id) => (checks.get(id) ?? 0) - (checksBefore.get(id) ?? 0) === 1)).toEqual(fleet.instanceIds.filter((id) => !stale.includes(id)));
    expect(fleet.instanceIds.filter((id) => world.restartsPerInstance().has(id))).toEqual([]);
  });
});

describe('/shim-fix check tag:… is the same fleet check, through the real handlers', () => {
  test('60 hosts with stale daemons: checked once each by id, no per-host thread post, one summary in the channel, nothing restarted', async () => {
    // Prepare: a host with the fleet tag but without the allow tag must stay out (both tags are required).
    const fleet = world.addFleet({ size: 60, seed: 31 });
    const outsider = 'i-0feedfacefeed0060';
    world.ssm.addNode(outsider, { tags: { [fleet.tag.key]: fleet.tag.value } });
    const stale = fleet.instanceIds.filter((id) => ['stale', 'stale-docker'].includes(fleet.verdicts.get(id) ?? ''));
    const commandsBefore = world.ssm.commands().length;

    // Act
    const answer = await world.slash(`check tag:${fleet.tag.key}=${fleet.tag.value}`);
    await world.pump.settle({ until: () => reports().length > 0 });

    // Assess
    expect(answer.statusCode).toBe(200);
    const target = `tag:${fleet.tag.key}=${fleet.tag.value}`;
    expect(world.slack.calls('response_url').map((call) => String(call.body.text)).filter((text) => text.includes(target))).toEqual([expect.stringContaining('A fleet check reports one summary, not a message per host')]);
    const checks = world.checksPerInstance();
    expect(fleet.instanceIds.map((id) => checks.get(id))).toEqual(fleet.instanceIds.map(() => 1));
    expect(checks.has(outsider)).toBe(false);
    // By id in batches of at most 50, never by tag: 60 hosts are two commands.
    const sent = world.ssm.commands().slice(commandsBefore);
    expect(sent.map(({ commandId, input }) => [input.DocumentName, input.Targets, world.ssm.instancesOf(commandId).length])).toEqual([
      [CHECK_DOC, undefined, 50],
      [CHECK_DOC, undefined, 10],
    ]);
    expect(fleet.instanceIds.filter((id) => world.restartsPerInstance().has(id))).toEqual([]);
    // The one public post is the summary; nothing in any thread, no plan card with a Confirm.
    expect(world.slack.calls('chat.postMessage')).toHaveLength(1);
    expect(world.slack.calls().filter((call) => call.body.thread_ts !== undefined)).toEqual([]);
    expect(JSON.stringify(reports()[0]?.body.blocks)).toContain(`${stale.length} hosts ${REPORT}`);
    expect(JSON.stringify(world.slack.calls())).not.toContain('remediation_confirm');
  });
});
