import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { InvocationDetail, InvocationSummary } from '../../../lambda/aws/ssm-gateway';
import { CommandNotRecordedYetError, handleCommandEvent, type ChatWriter, type StatusUpdateDeps } from '../../../lambda/slack/remediation/status-updates';
import { REMEDIATION_IDS } from '../../../lambda/slack/remediation/ids';
import { RESTARTED, STALE_DAEMON_CHECK, stdoutWith } from './fixtures';
import { commandStatusEvent, invocationStatusEvent } from '../../helpers/ssm-events';

const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';
const COMMAND = '11111111-2222-3333-4444-555555555555';
const DOC = 'ShimFix-RestartContainerRuntime';
const NOW = Date.parse('2026-01-02T03:00:00.000Z');
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Events of the one command these tests follow, at a fixed time so the messages are stable. */
const EVENT_TIME = { time: '2026-01-02T03:00:00Z', requestedAt: '2026-01-02T02:59:59.000Z' };
function invocationEvent(instanceId: string, status: string, document = DOC) {
  return invocationStatusEvent(COMMAND, instanceId, status, { ...EVENT_TIME, document, id: `evt-${instanceId}-${status}` });
}
function commandEvent(status: string) {
  return commandStatusEvent(COMMAND, status, { ...EVENT_TIME, document: DOC });
}

interface Harness {
  deps: StatusUpdateDeps;
  store: InMemoryRemediationStore;
  posts: Array<Parameters<ChatWriter['postMessage']>[0]>;
  updates: Array<Parameters<ChatWriter['update']>[0]>;
  invocations: Map<string, InvocationDetail>;
  failNextPost: { value: boolean };
}

async function setUp(options: { target?: string; action?: 'check' | 'restart'; instanceIds?: string[] } = {}): Promise<Harness> {
  const store = new InMemoryRemediationStore({ now: () => NOW });
  const instanceIds = options.instanceIds ?? [A];
  const action = options.action ?? 'restart';
  await store.createAudit({ requestId: 'r-1', action, target: options.target ?? A, requestedBy: 'U111', channelId: 'C1', createdAt: new Date(NOW).toISOString(), state: 'planned', instanceIds });
  await store.setStatusMessage('r-1', { channel: 'C1', ts: '1700000000.000100' });
  await store.acquireLocks(instanceIds, 'r-1', 1800);
  await store.recordCommand('r-1', COMMAND, { name: action === 'restart' ? DOC : 'ShimFix-CheckContainerRuntime', version: '3' });
  const posts: Harness['posts'] = [];
  const updates: Harness['updates'] = [];
  const invocations = new Map<string, InvocationDetail>();
  const failNextPost = { value: false };
  const deps: StatusUpdateDeps = {
    store,
    ssm: {
      getCommandInvocation: async (_command, instanceId) => {
        const found = invocations.get(instanceId);
        if (!found) throw new Error(`no invocation for ${instanceId}`);
        return found;
      },
      listCommandInvocations: async (): Promise<InvocationSummary[]> => [...invocations.values()].map(({ instanceId, status }) => ({ instanceId, status })),
    },
    chat: {
      update: async (args) => {
        updates.push(args);
      },
      postMessage: async (args) => {
        if (failNextPost.value) {
          failNextPost.value = false;
          throw new Error('slack is down');
        }
        posts.push(args);
      },
    },
    documents: [DOC, 'ShimFix-CheckContainerRuntime'],
    logger: silent,
    offerRestart: true,
    now: () => NOW,
  };
  return { deps, store, posts, updates, invocations, failNextPost };
}

describe('handleCommandEvent', () => {
  it('shows progress, posts the result into the thread once, releases the lock and closes the audit record', async () => {
    // Prepare
    const h = await setUp();
    h.invocations.set(A, { instanceId: A, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' });

    // Act
    await handleCommandEvent(invocationEvent(A, 'InProgress'), h.deps);
    await handleCommandEvent(invocationEvent(A, 'Success'), h.deps);
    await handleCommandEvent(invocationEvent(A, 'Success'), h.deps);

    // Assess
    expect(h.posts).toHaveLength(1);
    expect(h.posts[0]).toMatchObject({ channel: 'C1', thread_ts: '1700000000.000100' });
    expect(h.posts[0]?.text).toContain('containerd restarted: running 2.0.0 (was 1.7.23)');
    expect(h.updates[0]?.text).toContain('running');
    expect(JSON.stringify(h.updates.at(-1)?.blocks)).toContain(`\`${A}\` Success`);
    expect(JSON.stringify(h.updates.at(-1)?.blocks)).toContain('Done.');
    expect(await h.store.acquireLocks([A], 'r-2', 60)).toEqual({ acquired: true });
    expect(await h.store.getAudit('r-1')).toMatchObject({ outcome: 'succeeded', state: 'closed' });
  });

  it('does not re-render an identical status message for a duplicated event', async () => {
    // Prepare
    const h = await setUp();
    h.invocations.set(A, { instanceId: A, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' });
    await handleCommandEvent(invocationEvent(A, 'InProgress'), h.deps);
    await handleCommandEvent(invocationEvent(A, 'Success'), h.deps);
    const rendered = h.updates.length;

    // Act: EventBridge delivers the terminal event again, then the command event twice.
    await handleCommandEvent(invocationEvent(A, 'Success'), h.deps);
    await handleCommandEvent(commandEvent('Success'), h.deps);
    await handleCommandEvent(commandEvent('Success'), h.deps);

    // Assess: only the command's own status (a change) re-renders, once.
    expect(h.updates.length - rendered).toBeLessThanOrEqual(1);
    expect(h.posts).toHaveLength(1);
  });

  it('never regresses a terminal status when an older event arrives late', async () => {
    // Prepare
    const h = await setUp();
    h.invocations.set(A, { instanceId: A, status: 'Failed', stdout: '', stderr: 'boom' });

    // Act
    await handleCommandEvent(invocationEvent(A, 'Failed'), h.deps);
    const late = await handleCommandEvent(invocationEvent(A, 'InProgress'), h.deps);

    // Assess
    expect(late).toBe('duplicate');
    expect((await h.store.getAudit('r-1'))?.instances[A]?.status).toBe('Failed');
    expect(JSON.stringify(h.updates.at(-1)?.blocks)).toContain(`\`${A}\` Failed`);
  });

  it('posts a failure with the tail of stderr and the next step', async () => {
    // Prepare
    const h = await setUp();
    const stderr = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\ncontainerd did not come back within 60 s';
    h.invocations.set(A, { instanceId: A, status: 'Failed', statusDetails: 'Failed', stdout: '', stderr });

    // Act
    await handleCommandEvent(invocationEvent(A, 'Failed'), h.deps);

    // Assess
    const posted = JSON.stringify(h.posts[0]?.blocks);
    expect(posted).toContain('containerd did not come back within 60 s');
    expect(posted).not.toContain('line 5\\n');
    expect(posted).toContain(`/shim-fix check ${A}`);
    expect((await h.store.getAudit('r-1'))?.outcome).toBe('failed');
  });

  it('reads a check like a diagnosis and offers Restart when a restart is the fix', async () => {
    // Prepare
    const h = await setUp({ action: 'check' });
    h.invocations.set(A, { instanceId: A, status: 'Success', stdout: stdoutWith(STALE_DAEMON_CHECK), stderr: '' });
    const event = { ...invocationEvent(A, 'Success', 'ShimFix-CheckContainerRuntime') };

    // Act
    await handleCommandEvent(event, h.deps);

    // Assess
    expect(h.posts[0]?.text).toContain('running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade');
    const actions = h.posts[0]?.blocks.find((block) => block.type === 'actions');
    expect(JSON.stringify(actions)).toContain(REMEDIATION_IDS.restartFromCheck);
    expect(JSON.stringify(actions)).toContain(A);
  });

  it('gives the result back when Slack fails, so the retried event posts it', async () => {
    // Prepare
    const h = await setUp();
    h.invocations.set(A, { instanceId: A, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' });
    h.failNextPost.value = true;

    // Act
    const first = await handleCommandEvent(invocationEvent(A, 'Success'), h.deps).catch((error: unknown) => error);
    await handleCommandEvent(invocationEvent(A, 'Success'), h.deps);

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(h.posts).toHaveLength(1);
  });

  it('fills in lost invocation events when the fleet command ends, and closes the request once', async () => {
    // Prepare
    const h = await setUp({ target: 'tag:team=payments', instanceIds: [A, B] });
    h.invocations.set(A, { instanceId: A, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' });
    h.invocations.set(B, { instanceId: B, status: 'Failed', stdout: '', stderr: 'docker did not start' });

    // Act
    await handleCommandEvent(invocationEvent(A, 'Success'), h.deps);
    const audit = await h.store.getAudit('r-1');
    await handleCommandEvent(commandEvent('Failed'), h.deps);
    await handleCommandEvent(commandEvent('Failed'), h.deps);

    // Assess
    expect(audit?.outcome).toBeUndefined();
    expect(h.posts.map((post) => post.text.slice(0, 19))).toEqual([A, B]);
    expect(await h.store.getAudit('r-1')).toMatchObject({ outcome: 'failed', instances: { [A]: { status: 'Success' }, [B]: { status: 'Failed' } } });
    expect(await h.store.acquireLocks([A, B], 'r-2', 60)).toEqual({ acquired: true });
  });

  it('asks for a retry when the command is not recorded yet, and drops old unknown commands', async () => {
    // Prepare
    const h = await setUp();
    const unknown = { ...invocationEvent(A, 'Success'), detail: { ...invocationEvent(A, 'Success').detail, 'command-id': '99999999-2222-3333-4444-555555555555' } };

    // Act
    const fresh = await handleCommandEvent(unknown, h.deps).catch((error: unknown) => error);
    const old = await handleCommandEvent(unknown, { ...h.deps, now: () => NOW + 60 * 60 * 1000 });

    // Assess
    expect(fresh).toBeInstanceOf(CommandNotRecordedYetError);
    expect(old).toBe('ignored');
  });

  it('ignores other documents and malformed events without touching Slack', async () => {
    // Prepare
    const h = await setUp();

    // Act
    const other = await handleCommandEvent(invocationEvent(A, 'Success', 'AWS-RunShellScript'), h.deps);
    const malformed = await handleCommandEvent({ 'detail-type': 'EC2 Command Status-change Notification', source: 'aws.ssm', detail: {} }, h.deps);

    // Assess
    expect([other, malformed]).toEqual(['ignored', 'invalid']);
    expect(h.posts).toHaveLength(0);
    expect(h.updates).toHaveLength(0);
  });
});
