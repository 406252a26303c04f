import { SSMClient } from '@aws-sdk/client-ssm';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { AwsSsmGateway, type CommandRequest, type SsmGateway } from '../../../lambda/aws/ssm-gateway';
import type { ScriptResult } from '../../../lambda/core/remediation/result-line';
import type { Plan } from '../../../lambda/core/remediation/types';
import { logger } from '../../../lambda/logger';
import type { FleetNotifier } from '../../../lambda/remediation/fleet/fleet-deps';
import type { FleetProgressSnapshot } from '../../../lambda/remediation/fleet/progress';
import { DeliveryError } from '../../../lambda/remediation/notifier';
import { FleetService } from '../../../lambda/remediation/fleet/fleet-service';
import type { FleetCheckSummary } from '../../../lambda/remediation/fleet/types';
import { RESTARTED, STALE_DAEMON_CHECK, stdoutWith } from '../../unit/remediation/fixtures';
import { FakeSsm } from './fake-ssm';
import { applyStatusEvent, type StatusEventDeps } from '../../../lambda/remediation/status-events';
import { sweep } from '../../../lambda/remediation/sweep';
import { commandStatusEvent, invocationStatusEvent } from '../../helpers/ssm-events';

/**
 * The fleet flow end to end on the service: the real SSM gateway (SDK stubbed on the wire), the real in-memory store,
 * status events fed as the status handler feeds them, waves run as the worker runs them.
 */
const OPERATOR = 'U0PERSON01';
const ALLOW = { 'shim-fix': 'enabled' };
const FLEET_TAG = { team: 'payments' };
const START = Date.parse('2026-12-02T10:00:00.000Z');

const STALE: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };
const STALE_DOCKER: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, bindsToContainerd: true, runningContainers: 3 } };
const HEALTHY: ScriptResult = { ...STALE, verdict: 'healthy' };
const DOWNGRADE: ScriptResult = { ...STALE, verdict: 'downgrade' };
const K3S: ScriptResult = { ...STALE, verdict: 'managed-elsewhere', containerd: { ...STALE.containerd, manager: 'k3s', managerUnit: 'k3s.service' } };
const FAILED_RESTART: ScriptResult = { ...RESTARTED, status: 'failed', message: 'the CRI plugin did not load' };

const id = (index: number) => `i-${index.toString(16).padStart(17, '0')}`;

/** 120 hosts: 60 stale, 10 stale where Docker restarts, 20 healthy, 10 downgraded, 10 on k3s, 10 that never answer. */
function verdictOf(index: number): ScriptResult | 'silent' {
  if (index < 60) return STALE;
  if (index < 70) return STALE_DOCKER;
  if (index < 90) return HEALTHY;
  if (index < 100) return DOWNGRADE;
  if (index < 110) return K3S;
  return 'silent';
}

interface Sent {
  commandId: string;
  document: string;
  instanceIds: string[];
  allowStopping?: string;
}

class World {
  public readonly ssm = new FakeSsm();
  public readonly store: InMemoryRemediationStore;
  public readonly clock = { now: START };
  public readonly sent: Sent[] = [];
  public readonly summaries: FleetCheckSummary[] = [];
  public readonly plans: (Plan | undefined)[] = [];
  public readonly scheduled: { requestId: string; wave: number }[] = [];
  public readonly thread: string[] = [];
  /** Every status render in the order it reached "Slack" (after `onUpdate` resolved). */
  public readonly updates: FleetProgressSnapshot[] = [];
  public statusUpdates = 0;
  /** Runs before an update reaches "Slack": a test can hold one back (a slow chat.update). */
  public onUpdate: (snapshot: FleetProgressSnapshot) => Promise<void> = async () => undefined;
  /** The error a thread post fails with, if any (the line is still recorded as attempted). */
  public failPost: (text: string) => Error | undefined = () => undefined;
  public readonly attempts: string[] = [];
  public readonly fleet: FleetService;
  private ids = 0;

  public constructor() {
    this.store = new InMemoryRemediationStore({ now: () => this.clock.now });
    const gateway = new AwsSsmGateway({ client: new SSMClient({ region: 'eu-west-1' }), allowTag: { key: 'shim-fix', value: 'enabled' }, documents: ['ShimFix-RestartContainerRuntime', 'ShimFix-CheckContainerRuntime'] });
    const recording: SsmGateway = {
      ...bind(gateway),
      sendCommand: async (request: CommandRequest) => {
        const result = await gateway.sendCommand(request);
        this.sent.push({ commandId: result.commandId, document: request.document.name, instanceIds: [...(request.instanceIds ?? [])], ...(request.parameters?.AllowStoppingContainers ? { allowStopping: request.parameters.AllowStoppingContainers[0] } : {}) });
        return result;
      },
    };
    const notifier: FleetNotifier = {
      postStatus: async () => ({ channel: 'C0FLEET01', ts: '1700000000.000100' }),
      updateStatus: async (_where, snapshot) => {
        await this.onUpdate(snapshot);
        this.statusUpdates += 1;
        this.updates.push(snapshot);
      },
      postInThread: async (_where, text) => {
        this.attempts.push(text);
        const error = this.failPost(text);
        if (error) throw error;
        this.thread.push(text);
      },
      tellRequester: async () => undefined,
    };
    this.fleet = new FleetService({
      operators: [OPERATOR],
      allowTag: { key: 'shim-fix', value: 'enabled' },
      checkDocument: 'ShimFix-CheckContainerRuntime',
      restartDocument: 'ShimFix-RestartContainerRuntime',
      ssm: recording,
      store: this.store,
      logger,
      completions: {
        restart: {
          complete: async (summary) => {
            this.summaries.push(summary);
            this.plans.push(await this.fleet.rollout.planFromCheck(summary));
          },
        },
      },
      notifier,
      waves: { scheduleWave: async (requestId, wave) => void this.scheduled.push({ requestId, wave }) },
      now: () => this.clock.now,
      newId: (prefix) => `${prefix}-${String(++this.ids).padStart(4, '0')}`,
    });
    for (let index = 0; index < 120; index++) this.ssm.nodes.set(id(index), { tags: { ...ALLOW, ...FLEET_TAG } });
  }

  /** Sets what each host's current invocation printed (the fake keys invocations by instance). */
  public answers(result: (index: number) => ScriptResult | 'silent', status = (_index: number) => 'Success'): void {
    this.ssm.invocations.clear();
    for (let index = 0; index < 120; index++) {
      const answer = result(index);
      if (answer !== 'silent') this.ssm.invocations.set(id(index), { Status: status(index), StandardOutputContent: stdoutWith(answer), StandardErrorContent: '' });
    }
  }

  /** Delivers the invocation event of every host of every command sent so far with `document`, as EventBridge would. */
  public async deliver(document: string, filter: (instanceId: string) => boolean = () => true): Promise<void> {
    for (const command of this.sent.filter((each) => each.document === document)) {
      for (const instanceId of command.instanceIds.filter(filter)) await this.deliverOne(command, instanceId);
    }
  }

  /** One instance's invocation event of one command. */
  public async deliverOne(command: Sent, instanceId: string): Promise<void> {
    const invocation = this.ssm.invocations.get(instanceId);
    if (!invocation) return;
    const phase = command.document === 'ShimFix-CheckContainerRuntime' ? 'check' : 'restart';
    const requestId = (await this.store.findRequestByCommand(command.commandId)) ?? '';
    await this.fleet.onStatusEvent(requestId, phase, { kind: 'invocation', commandId: command.commandId, instanceId, status: invocation.Status }, async () => []);
  }

  /** The worker: runs every scheduled wave job (and any it schedules in turn), delivering the restart events after each. */
  public async runWaves(afterEach: () => Promise<void>): Promise<void> {
    for (let job = this.scheduled.shift(); job; job = this.scheduled.shift()) {
      await this.fleet.rollout.runWave(job.requestId, job.wave);
      await afterEach();
    }
  }

  public restarts(): Sent[] {
    return this.sent.filter((command) => command.document === 'ShimFix-RestartContainerRuntime');
  }
}

function bind(gateway: AwsSsmGateway): SsmGateway {
  return {
    describeInstance: (instanceId) => gateway.describeInstance(instanceId),
    describeFleet: (tag) => gateway.describeFleet(tag),
    documentVersion: (name) => gateway.documentVersion(name),
    sendCommand: (request) => gateway.sendCommand(request),
    getCommandInvocation: (commandId, instanceId) => gateway.getCommandInvocation(commandId, instanceId),
    listCommandInvocations: (commandId) => gateway.listCommandInvocations(commandId),
  };
}

let world: World;
beforeEach(() => {
  world = new World();
});
afterEach(() => world.ssm.mock.restore());

async function checkedFleet(): Promise<{ plan: Plan; checkRequestId: string }> {
  world.answers(verdictOf);
  const started = await world.fleet.startFleetCheck({ purpose: 'restart', channelId: 'C0FLEET01', requestedBy: OPERATOR, source: { kind: 'tag', key: 'team', value: 'payments' } });
  if (!('checkRequestId' in started)) throw new Error(started.refused);
  await world.deliver('ShimFix-CheckContainerRuntime');
  // Duplicates and a late replay after completion change nothing.
  await world.deliver('ShimFix-CheckContainerRuntime');
  world.clock.now += 21 * 60_000;
  await world.fleet.sweep(started.checkRequestId, 'check', world.clock.now);
  const plan = world.plans[0];
  if (!plan) throw new Error('no plan card');
  return { plan, checkRequestId: started.checkRequestId };
}

describe('fleet check first', () => {
  it('checks 120 hosts by id in batches of at most 50 and posts ONE plan from what was measured, silent hosts unreachable', async () => {
    // Act
    const { plan, checkRequestId } = await checkedFleet();
    await world.fleet.sweep(checkRequestId, 'check', world.clock.now + 60_000);
    // Assess
    const checks = world.ssm.sent().filter((input) => input.DocumentName === 'ShimFix-CheckContainerRuntime');
    expect(checks.map((input) => input.InstanceIds?.length)).toEqual([50, 50, 20]);
    expect(checks.every((input) => input.Targets === undefined)).toBe(true);
    expect(new Set(checks.flatMap((input) => input.InstanceIds ?? [])).size).toBe(120);
    expect(world.summaries).toHaveLength(1);
    expect(world.summaries[0]?.counts).toEqual({ 'restart-fixes': 60, 'docker-stops-containers': 10, healthy: 20, 'restart-will-not-help': 10, 'managed-elsewhere': 10, unreachable: 10 });
    expect(plan.fleet).toMatchObject({ restartIds: Array.from({ length: 60 }, (_, index) => id(index)), dockerContainers: 30 });
    expect(plan.fleet?.dockerIds).toHaveLength(10);
    expect(world.restarts()).toHaveLength(0);
    expect((await world.store.getAudit(checkRequestId))?.outcome).toBe('succeeded');
  });

  it('completes as soon as every host answered, without waiting for the bound, and out-of-order events count once', async () => {
    // Prepare
    world.answers((index) => (index % 2 === 0 ? STALE : HEALTHY));
    const started = await world.fleet.startFleetCheck({ purpose: 'restart', channelId: 'C0FLEET01', requestedBy: OPERATOR, source: { kind: 'tag', key: 'team', value: 'payments' } });
    if (!('checkRequestId' in started)) throw new Error(started.refused);
    // Act: the odd hosts first, then everything again
    await world.deliver('ShimFix-CheckContainerRuntime', (instanceId) => parseInt(instanceId.slice(2), 16) % 2 === 1);
    await world.deliver('ShimFix-CheckContainerRuntime');
    // Assess
    expect(world.summaries).toHaveLength(1);
    expect(world.summaries[0]?.counts).toMatchObject({ 'restart-fixes': 60, healthy: 60, unreachable: 0 });
  });

  it('refuses a fleet above 1,000 hosts with its number', async () => {
    // Prepare
    for (let index = 120; index < 1051; index++) world.ssm.nodes.set(id(index), { tags: { ...ALLOW, ...FLEET_TAG } });
    // Act
    const started = await world.fleet.startFleetCheck({ purpose: 'restart', channelId: 'C0FLEET01', requestedBy: OPERATOR, source: { kind: 'tag', key: 'team', value: 'payments' } });
    // Assess
    expect(started).toEqual({ refused: expect.stringContaining('more than 1000 instances') });
  });
});

describe('rolling waves after Confirm', () => {
  it('restarts only the stale hosts, in waves of ceil(5 %), one command per host, and never the Docker hosts unless included', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    const claim = await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 5, maxFailures: 0 } });
    expect(claim).toMatchObject({ kind: 'claimed', selected: 60, waves: 20, waveSize: 3 });
    world.scheduled.push({ requestId: plan.requestId, wave: 1 });
    world.answers(() => RESTARTED);
    // Act
    await world.runWaves(() => world.deliver('ShimFix-RestartContainerRuntime'));
    // Assess
    const restarted = world.restarts().flatMap((command) => command.instanceIds);
    expect(restarted.sort()).toEqual(plan.fleet?.restartIds);
    expect(world.restarts().map((command) => command.instanceIds.length)).toEqual(Array(20).fill(3));
    expect(world.restarts().every((command) => command.allowStopping === 'no')).toBe(true);
    const audit = await world.store.getAudit(plan.requestId);
    expect(audit?.outcome).toBe('succeeded');
    expect(world.thread.filter((line) => line.startsWith('*Fleet restart finished:*'))).toEqual(['*Fleet restart finished:* 60 restarted, 0 failed, 0 skipped of 60.']);
  });

  it('includes the Docker hosts only through the explicit choice, sent with AllowStoppingContainers=yes', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: true, rollout: { wavePercent: 25, maxFailures: 0 } });
    world.scheduled.push({ requestId: plan.requestId, wave: 1 });
    world.answers(() => RESTARTED);
    // Act
    await world.runWaves(() => world.deliver('ShimFix-RestartContainerRuntime'));
    // Assess
    const withDocker = world.restarts().filter((command) => command.allowStopping === 'yes').flatMap((command) => command.instanceIds);
    expect(withDocker.sort()).toEqual(plan.fleet?.dockerIds);
    expect(world.restarts().flatMap((command) => command.instanceIds)).toHaveLength(70);
  });

  it('stops at the first failure in wave 2: the rest is skipped, never sent, and the failure is posted once', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 5, maxFailures: 0 } });
    world.scheduled.push({ requestId: plan.requestId, wave: 1 });
    // wave 2 is hosts 3..5: host 4 fails
    world.answers((index) => (index === 4 ? FAILED_RESTART : RESTARTED), (index) => (index === 4 ? 'Failed' : 'Success'));
    // Act
    await world.runWaves(async () => {
      await world.deliver('ShimFix-RestartContainerRuntime');
      await world.deliver('ShimFix-RestartContainerRuntime');
    });
    // Assess
    expect(world.restarts().flatMap((command) => command.instanceIds)).toEqual([0, 1, 2, 3, 4, 5].map(id));
    const fleet = await world.store.getFleet(plan.requestId);
    expect(fleet).toMatchObject({ done: 5, failed: 1, skipped: 54, haltedReason: expect.stringContaining('stopped after the first failure') });
    expect(world.thread.filter((line) => line.includes(id(4)) && line.startsWith(':x:'))).toHaveLength(1);
    expect((await world.store.listOutcomes(plan.requestId)).find((outcome) => outcome.instanceId === id(59))?.detail).toBe('skipped — stopped after the first failure');
    expect((await world.store.getAudit(plan.requestId))?.outcome).toBe('failed');
  });

  it('a failure line Slack surely did not show is named in the final summary; one it may have shown is never posted again', async () => {
    // Prepare: one wave of all 60 stale hosts, two failures tolerated; host 4's line is rate-limited, host 7's times out
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 100, maxFailures: 2 } });
    world.answers((index) => (index === 4 || index === 7 ? FAILED_RESTART : RESTARTED), (index) => (index === 4 || index === 7 ? 'Failed' : 'Success'));
    world.failPost = (text) => (text.includes(id(4)) && text.startsWith(':x:') ? new DeliveryError('no', true, 'ratelimited') : text.includes(id(7)) && text.startsWith(':x:') ? new DeliveryError('maybe', false, 'timeout') : undefined);
    // Act: every event twice, as EventBridge may deliver them
    await world.fleet.rollout.runWave(plan.requestId, 1);
    await world.deliver('ShimFix-RestartContainerRuntime');
    await world.deliver('ShimFix-RestartContainerRuntime');
    // Assess
    expect(world.attempts.filter((line) => line.startsWith(':x:') && line.includes(id(7)))).toHaveLength(1);
    const summaries = world.thread.filter((line) => line.startsWith('*Fleet restart finished:*'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('58 restarted, 2 failed');
    expect(summaries[0]).toContain(`could not be posted: \`${id(4)}\` (`);
    expect(summaries[0]).not.toContain(id(7));
  });

  it('a slow intermediate render that reaches Slack after the final one is followed by the final again', async () => {
    // Prepare: one wave; the first progress render after the clock moved on is held until the final render is shown
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 100, maxFailures: 0 } });
    world.answers(() => RESTARTED);
    await world.fleet.rollout.runWave(plan.requestId, 1);
    let showFinal = (): void => undefined;
    const finalShown = new Promise<void>((resolve) => (showFinal = resolve));
    let held = false;
    world.onUpdate = async (snapshot) => {
      if (snapshot.finished) return showFinal();
      if (held) return;
      held = true;
      await finalShown;
    };
    world.clock.now += 10_000;
    const [command] = world.restarts();
    if (!command) throw new Error('no restart sent');
    // Act: the first host's event renders (slowly) while the other 59 finish the rollout
    const slow = world.deliverOne(command, id(0));
    await world.deliver('ShimFix-RestartContainerRuntime', (instanceId) => instanceId !== id(0));
    await slow;
    // Assess: the stale render did reach Slack after the final one, and the final one came again after it
    expect(held).toBe(true);
    const order = world.updates.map((snapshot) => (snapshot.finished ? 'final' : 'progress'));
    expect(order.slice(-3)).toEqual(['final', 'progress', 'final']);
    expect(world.updates.at(-1)).toMatchObject({ finished: true, done: 60 });
  });

  it('a repeated fleet-wave job sends nothing the second time', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 50, maxFailures: 0 } });
    // Act
    const first = await world.fleet.rollout.runWave(plan.requestId, 1);
    const again = await Promise.all([world.fleet.rollout.runWave(plan.requestId, 1), world.fleet.rollout.runWave(plan.requestId, 1)]);
    // Assess
    expect([first, ...again]).toEqual(['sent', 'duplicate', 'duplicate']);
    expect(world.restarts().flatMap((command) => command.instanceIds)).toHaveLength(30);
  });

  it('skips a host locked by another request and reports it, restarting the others', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    await world.store.acquireLocks([id(1)], 'r-other', 3600);
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 100, maxFailures: 0 } });
    world.scheduled.push({ requestId: plan.requestId, wave: 1 });
    world.answers(() => RESTARTED);
    // Act
    await world.runWaves(() => world.deliver('ShimFix-RestartContainerRuntime'));
    // Assess
    const sentTo = world.restarts().flatMap((command) => command.instanceIds);
    expect(sentTo).not.toContain(id(1));
    expect(world.restarts().map((command) => command.instanceIds.length)).toEqual([50, 9]);
    expect((await world.store.listOutcomes(plan.requestId)).find((outcome) => outcome.instanceId === id(1))).toMatchObject({ outcome: 'skipped', detail: 'locked by request r-other' });
    expect(await world.store.getFleet(plan.requestId)).toMatchObject({ done: 59, skipped: 1 });
  });

  it('an unknown SendCommand outcome halts the rollout, says unknown and keeps those locks', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 5, maxFailures: 0 } });
    world.ssm.sendError = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    // Act
    await world.fleet.rollout.runWave(plan.requestId, 1);
    // Assess
    const fleet = await world.store.getFleet(plan.requestId);
    expect(fleet).toMatchObject({ unknown: 3, skipped: 57, haltedReason: expect.stringMatching(/^unknown: /) });
    expect((await world.store.acquireLocks([id(0)], 'r-next', 60)).acquired).toBe(false);
    expect((await world.store.getAudit(plan.requestId))?.outcome).toBe('unknown');
    expect(world.scheduled).toHaveLength(0);
  });
});

describe('through the status path and the sweeper (lambda/remediation/status-events.ts, sweep.ts)', () => {
  function statusDeps(): StatusEventDeps {
    const unused = async (): Promise<never> => {
      throw new Error('a fleet event must not reach the single-instance notifier');
    };
    return {
      store: world.store,
      ssm: bind(new AwsSsmGateway({ client: new SSMClient({ region: 'eu-west-1' }), allowTag: { key: 'shim-fix', value: 'enabled' }, documents: ['ShimFix-RestartContainerRuntime', 'ShimFix-CheckContainerRuntime'] })),
      notifier: { statusChanged: unused, resultReady: unused, planReady: unused, noticeInThread: unused },
      documents: ['ShimFix-RestartContainerRuntime', 'ShimFix-CheckContainerRuntime'],
      logger,
      now: () => world.clock.now,
      fleet: world.fleet,
    };
  }

  it('a fleet check completes from real EventBridge events, twice and out of order, then a late command event changes nothing', async () => {
    // Prepare
    world.answers((index) => (index < 100 ? STALE : HEALTHY));
    const started = await world.fleet.startFleetCheck({ purpose: 'restart', channelId: 'C0FLEET01', requestedBy: OPERATOR, source: { kind: 'tag', key: 'team', value: 'payments' } });
    if (!('checkRequestId' in started)) throw new Error(started.refused);
    const deps = statusDeps();
    const time = new Date(world.clock.now).toISOString();
    const events = world.sent.flatMap((command) => command.instanceIds.map((instanceId) => invocationStatusEvent(command.commandId, instanceId, 'Success', { document: 'ShimFix-CheckContainerRuntime', time })));
    // Act
    const outcomes = [];
    for (const event of [...events].reverse()) outcomes.push(await applyStatusEvent(event, deps));
    for (const event of events) outcomes.push(await applyStatusEvent(event, deps));
    for (const command of world.sent) await applyStatusEvent(commandStatusEvent(command.commandId, 'Success', { document: 'ShimFix-CheckContainerRuntime', time }), deps);
    // Assess
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(120);
    expect(world.summaries).toHaveLength(1);
    expect(world.summaries[0]?.counts).toMatchObject({ 'restart-fixes': 100, healthy: 20 });
  });

  it('the sweeper gives a silent rollout up at its bound: sent hosts unknown and unlocked, later waves skipped, closed unknown', async () => {
    // Prepare
    const { plan } = await checkedFleet();
    await world.fleet.rollout.claimConfirm({ planId: plan.planId, userId: OPERATOR, includeDocker: false, rollout: { wavePercent: 10, maxFailures: 0 } });
    await world.fleet.rollout.runWave(plan.requestId, 1);
    world.ssm.invocations.clear();
    // Act
    world.clock.now += 5 * 60 * 60_000; // 10 waves: tracked 60 + 9 × 20 minutes
    const report = await sweep(statusDeps());
    // Assess
    expect(report).toMatchObject({ givenUp: 1, failed: 0 });
    expect(await world.store.getFleet(plan.requestId)).toMatchObject({ unknown: 6, skipped: 54 });
    expect((await world.store.acquireLocks([id(0)], 'r-next', 60)).acquired).toBe(true);
    expect((await world.store.getAudit(plan.requestId))?.outcome).toBe('unknown');
  });
});
