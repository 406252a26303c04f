import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { InvocationDetail } from '../../../lambda/aws/ssm-gateway';
import { AwsCallError } from '../../../lambda/core/remediation/errors';
import type { StatusUpdateDeps } from '../../../lambda/slack/remediation/status-updates';
import { sweepInFlight } from '../../../lambda/slack/remediation/sweep-in-flight';
import { RESTARTED, stdoutWith } from './fixtures';

const DOC = 'ShimFix-RestartContainerRuntime';
const SENT = Date.parse('2026-03-01T10:00:00.000Z');
const MINUTE = 60_000;
const A_CUT = 'i-0000000000000c0c0';
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Requests r-0…r-n, one instance each, all sent at SENT; SSM answers from `invocations` (missing = does not exist). */
async function setUp(count: number) {
  let now = SENT;
  const store = new InMemoryRemediationStore({ now: () => now });
  const instances: string[] = [];
  for (let index = 0; index < count; index++) {
    const instanceId = `i-${String(index).padStart(17, '0')}`;
    instances.push(instanceId);
    await store.createAudit({ requestId: `r-${index}`, action: 'restart', target: instanceId, requestedBy: 'U1', channelId: 'C1', createdAt: new Date(SENT).toISOString(), state: 'planned', instanceIds: [instanceId] });
    await store.setStatusMessage(`r-${index}`, { channel: 'C1', ts: `1700000000.00000${index}` });
    await store.acquireLocks([instanceId], `r-${index}`, 1800);
    await store.recordCommand(`r-${index}`, `cmd-${index}`, { name: DOC, version: '3' });
  }
  const invocations = new Map<string, InvocationDetail | Error>();
  const posts: unknown[] = [];
  const deps: StatusUpdateDeps = {
    store,
    ssm: {
      getCommandInvocation: async (_commandId, instanceId) => {
        const found = invocations.get(instanceId);
        if (found instanceof Error) throw found;
        if (!found) throw new AwsCallError('unknown', 'GetCommandInvocation', 'InvocationDoesNotExist', 'GetCommandInvocation failed: InvocationDoesNotExist');
        return found;
      },
      listCommandInvocations: async () => [],
    },
    chat: { update: async () => undefined, postMessage: async (args) => void posts.push(args) },
    documents: [DOC],
    logger: silent,
    offerRestart: false,
    now: () => now,
  };
  return { store, deps, instances, invocations, posts, at: (minutes: number) => (now = SENT + minutes * MINUTE) };
}

describe('sweepInFlight', () => {
  it('one request SSM cannot be asked about does not stop the others; it is tried again next time', async () => {
    // Prepare
    const h = await setUp(3);
    h.invocations.set(h.instances[0]!, new AwsCallError('throttled', 'GetCommandInvocation', 'ThrottlingException', 'throttled'));
    h.invocations.set(h.instances[1]!, { instanceId: h.instances[1]!, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' });
    h.invocations.set(h.instances[2]!, { instanceId: h.instances[2]!, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' });
    h.at(6);

    // Act
    const report = await sweepInFlight(h.deps);

    // Assess
    expect(report).toMatchObject({ failed: 1, completed: 2 });
    expect((await h.store.listInFlight()).map((entry) => entry.requestId)).toEqual(['r-0']);
  });

  it('an invocation SSM does not know yet counts as pending, not as a failure, until the bound', async () => {
    // Prepare
    const h = await setUp(1);

    // Act
    h.at(30);
    const within = await sweepInFlight(h.deps);
    h.at(60);
    const past = await sweepInFlight(h.deps);

    // Assess
    expect(within).toMatchObject({ running: 1, givenUp: 0, failed: 0 });
    expect(past).toMatchObject({ givenUp: 1 });
    expect((await h.store.getAudit('r-0'))?.outcome).toBe('unknown');
    expect(h.posts).toHaveLength(1);
  });

  it('a fleet gets a longer bound: one slot per instance after the first', async () => {
    // Prepare: one request over three instances, still running.
    const h = await setUp(0);
    const fleet = ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c'];
    await h.store.createAudit({ requestId: 'r-fleet', action: 'restart', target: 'tag:team=payments', requestedBy: 'U1', channelId: 'C1', createdAt: new Date(SENT).toISOString(), state: 'planned', instanceIds: fleet });
    await h.store.recordCommand('r-fleet', 'cmd-fleet', { name: DOC, version: '3' });
    h.deps.ssm.listCommandInvocations = async () => fleet.map((instanceId) => ({ instanceId, status: 'InProgress' }));

    // Act: 60 minutes plus one 10-minute slot (the restart's execution timeout) per instance after the first.
    h.at(79);
    const before = await sweepInFlight(h.deps);
    h.at(80);
    const after = await sweepInFlight(h.deps);

    // Assess
    expect(before).toMatchObject({ running: 1, givenUp: 0 });
    expect(after).toMatchObject({ givenUp: 1 });
  });

  it('a request marked as sending but never recorded is closed unknown after 5 minutes, its lock kept', async () => {
    // Prepare: the sender died mid-SendCommand.
    const h = await setUp(0);
    await h.store.createAudit({ requestId: 'r-cut', action: 'restart', target: A_CUT, requestedBy: 'U1', channelId: 'C1', createdAt: new Date(SENT).toISOString(), state: 'planned', instanceIds: [A_CUT] });
    await h.store.setStatusMessage('r-cut', { channel: 'C1', ts: '1700000000.000009' });
    await h.store.acquireLocks([A_CUT], 'r-cut', 1800);
    await h.store.markSending('r-cut');

    // Act
    h.at(1);
    const early = await sweepInFlight(h.deps);
    h.at(6);
    const report = await sweepInFlight(h.deps);
    const again = await sweepInFlight(h.deps);

    // Assess
    expect(early).toMatchObject({ waiting: 1, interrupted: 0 });
    expect(report).toMatchObject({ interrupted: 1 });
    expect(again).toMatchObject({ interrupted: 0, waiting: 0 });
    expect(h.posts).toHaveLength(1);
    expect((await h.store.getAudit('r-cut'))?.outcome).toBe('unknown');
    expect(await h.store.acquireLocks([A_CUT], 'r-other', 60)).toMatchObject({ acquired: false, heldBy: 'r-cut' });
  });
});
