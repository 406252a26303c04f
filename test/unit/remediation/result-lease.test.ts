import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { RESULT_POST_LEASE_SECONDS } from '../../../lambda/aws/remediation-store-types';
import { handleCommandEvent, ResultPostInProgressError, type StatusUpdateDeps } from '../../../lambda/slack/remediation/status-updates';
import { sweepInFlight } from '../../../lambda/slack/remediation/sweep-in-flight';
import { reliabilityCase } from '../../reliability/catalogue';
import { RESTARTED, stdoutWith } from './fixtures';

const A = 'i-0aaaaaaaaaaaaaaaa';
const COMMAND = '11111111-2222-3333-4444-555555555555';
const DOC = 'ShimFix-RestartContainerRuntime';
const SENT = Date.parse('2026-01-02T03:00:00.000Z');
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function successEvent() {
  return {
    id: `evt-${A}-Success`,
    'detail-type': 'EC2 Command Invocation Status-change Notification',
    source: 'aws.ssm',
    time: new Date(SENT).toISOString(),
    detail: { 'command-id': COMMAND, 'document-name': DOC, 'instance-id': A, status: 'Success' },
  };
}

/** A sent restart whose status invocation was cut off after claiming the result post, at SENT. */
async function cutOffAfterClaim() {
  let now = SENT;
  const store = new InMemoryRemediationStore({ now: () => now });
  await store.createAudit({ requestId: 'r-1', action: 'restart', target: A, requestedBy: 'U1', channelId: 'C1', createdAt: new Date(SENT).toISOString(), state: 'planned', instanceIds: [A] });
  await store.setStatusMessage('r-1', { channel: 'C1', ts: '1700000000.000100' });
  await store.acquireLocks([A], 'r-1', 1800);
  await store.recordCommand('r-1', COMMAND, { name: DOC, version: '3' });
  await store.claimResultPost('r-1', A);
  const posts: unknown[] = [];
  const deps: StatusUpdateDeps = {
    store,
    ssm: {
      getCommandInvocation: async () => ({ instanceId: A, status: 'Success', stdout: stdoutWith(RESTARTED), stderr: '' }),
      listCommandInvocations: async () => [{ instanceId: A, status: 'Success' }],
    },
    chat: { update: async () => undefined, postMessage: async (args) => void posts.push(args) },
    documents: [DOC],
    logger: silent,
    offerRestart: false,
    now: () => now,
  };
  return { store, deps, posts, at: (seconds: number) => (now = SENT + seconds * 1000) };
}

describe('a status invocation cut off between claiming a result and posting it', () => {
  test('the retried event fails (so it is retried again) while the lease runs, then posts the result once', async () => {
    // Prepare
    const { count } = reliabilityCase('lambda-cut-off-status-result');
    const h = await cutOffAfterClaim();

    // Act: Lambda's retries of the event, the first inside the lease, the rest after it.
    h.at(60);
    const insideLease = await handleCommandEvent(successEvent(), h.deps).catch((error: unknown) => error);
    const stillOpen = (await h.store.getAudit('r-1'))?.outcome;
    h.at(RESULT_POST_LEASE_SECONDS + 1);
    for (let retry = 1; retry < count; retry++) await handleCommandEvent(successEvent(), h.deps);

    // Assess
    expect(insideLease).toBeInstanceOf(ResultPostInProgressError);
    expect(stillOpen).toBeUndefined();
    expect(h.posts).toHaveLength(1);
    expect((await h.store.getAudit('r-1'))?.outcome).toBe('succeeded');
    expect(await h.store.isResultPosted('r-1', A)).toBe(true);
    expect(await h.store.acquireLocks([A], 'r-2', 60)).toEqual({ acquired: true });
  });

  test('when every retry of the event is spent, the sweeper finishes the request after the lease', async () => {
    // Prepare
    const h = await cutOffAfterClaim();

    // Act
    h.at(6 * 60);
    const report = await sweepInFlight(h.deps);

    // Assess
    expect(report.completed).toBe(1);
    expect(h.posts).toHaveLength(1);
    expect(await h.store.listInFlight()).toEqual([]);
  });
});
