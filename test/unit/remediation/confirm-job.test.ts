import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { SsmGateway } from '../../../lambda/aws/ssm-gateway';
import { AwsCallError } from '../../../lambda/core/remediation/errors';
import type { ConfirmJob, JobChat } from '../../../lambda/remediation/jobs';
import { RemediationService } from '../../../lambda/remediation/remediation-service';
import { runConfirmJob } from '../../../lambda/slack/remediation/confirm-job';

/**
 * Issue 9 point 1: a Confirm is claimed (plan consumed, lock taken) inside Slack's request and sent by the remediation
 * worker. Lambda delivers an asynchronous job at least once and retries it: the request id makes the send idempotent.
 */
const ID = 'i-0123456789abcdef0';
const OPERATOR = 'U0OPERATOR1';
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function world() {
  let now = Date.parse('2026-01-02T03:00:00.000Z');
  const clock = { advance: (ms: number) => (now += ms), now: () => now };
  const store = new InMemoryRemediationStore({ now: clock.now });
  const sent: string[] = [];
  let counter = 0;
  const ssm: SsmGateway = {
    describeInstance: async (instanceId) => ({ instanceId, hasAllowTag: true, instance: { instanceId, pingStatus: 'Online', platformType: 'Linux' } }),
    describeFleet: async () => ({ tag: { key: 'team', value: 'a' }, eligible: [], truncated: false }),
    documentVersion: async (name) => ({ name, version: '1' }),
    sendCommand: async (input) => {
      // Yields first, as a real request does, so two jobs running at once really overlap.
      await new Promise((resolve) => setTimeout(resolve, 5));
      sent.push(input.document.name);
      return { commandId: `00000000-0000-4000-8000-00000000000${sent.length}` };
    },
    getCommandInvocation: async () => {
      throw new Error('unused');
    },
    listCommandInvocations: async () => [],
  };
  const service = new RemediationService({
    operators: [OPERATOR],
    allowTag: { key: 'shim-fix', value: 'enabled' },
    restartDocument: 'ShimFix-RestartContainerRuntime',
    checkDocument: 'ShimFix-CheckContainerRuntime',
    ssm,
    store,
    logger: silent,
    newId: (prefix) => `${prefix}-${++counter}`,
    now: clock.now,
  });
  const told: string[] = [];
  const statusPosts: string[] = [];
  const chat: JobChat = {
    postEphemeral: async (args) => told.push(args.text),
    postMessage: async (args) => {
      statusPosts.push(args.channel);
      return { channel: args.channel, ts: `1.${statusPosts.length}` };
    },
    update: async () => undefined,
    getPermalink: async () => ({}),
  };
  return { store, ssm, service, chat, told, sent, statusPosts, clock, logger: silent };
}

async function claimedJob(w: ReturnType<typeof world>): Promise<ConfirmJob> {
  const planned = await w.service.plan({ userId: OPERATOR, channelId: 'C0CHANNEL1', action: 'restart', targetText: ID });
  if (planned.kind !== 'plan') throw new Error('expected a plan');
  const claim = await w.service.claimConfirm({ planId: planned.plan.planId, userId: OPERATOR });
  if (claim.kind !== 'claimed') throw new Error(`expected a claim, got ${claim.kind}`);
  return { kind: 'confirm', userId: OPERATOR, channelId: 'C0CHANNEL1', requestId: claim.plan.requestId, planId: claim.plan.planId, actionId: claim.actionId };
}

describe('the confirm job', () => {
  it('sends once when the same job is delivered twice, one after the other, and tells the requester once', async () => {
    // Prepare
    const w = world();
    const job = await claimedJob(w);

    // Act
    await runConfirmJob(job, w.chat, w);
    await runConfirmJob(job, w.chat, w);

    // Assess
    expect(w.sent).toEqual(['ShimFix-RestartContainerRuntime']);
    expect(w.statusPosts).toHaveLength(1);
    expect(w.told).toEqual([expect.stringContaining('Sent. Command')]);
  });

  it('sends once when two deliveries of the job run at the same time', async () => {
    // Prepare
    const w = world();
    const job = await claimedJob(w);

    // Act
    await Promise.all([runConfirmJob(job, w.chat, w), runConfirmJob(job, w.chat, w)]);

    // Assess
    expect(w.sent).toHaveLength(1);
    expect(w.statusPosts).toHaveLength(1);
  });

  it('sends nothing when a retry comes after the send started and the first worker died (its lease ran out)', async () => {
    // Prepare: the first worker reached SendCommand and died there (the outcome is unknown).
    const w = world();
    const job = await claimedJob(w);
    const realSend = w.ssm.sendCommand;
    w.ssm.sendCommand = async () => {
      throw new Error('the invocation was killed here');
    };
    await runConfirmJob(job, w.chat, w);
    w.ssm.sendCommand = realSend;
    w.clock.advance(10 * 60 * 1000);

    // Act
    await runConfirmJob(job, w.chat, w);

    // Assess
    expect(w.sent).toHaveLength(0);
    expect((await w.store.getEvents(job.requestId)).filter((event) => event.type === 'send-started')).toHaveLength(1);
  });

  it('frees the lock taken at Confirm when the re-check in the worker fails (nothing was sent)', async () => {
    // Prepare
    const w = world();
    const job = await claimedJob(w);
    w.ssm.describeInstance = async () => {
      throw new AwsCallError('timeout', 'DescribeInstanceInformation', 'TimeoutError', 'DescribeInstanceInformation timed out');
    };

    // Act
    await runConfirmJob(job, w.chat, w);

    // Assess
    expect(w.sent).toHaveLength(0);
    expect((await w.store.getAudit(job.requestId))?.outcome).toBe('not-sent');
    expect(await w.store.acquireLocks([ID], 'r-next', 600)).toEqual({ acquired: true });
    expect(w.told).toHaveLength(1);
  });
});
