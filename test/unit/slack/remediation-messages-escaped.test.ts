import type { AuditRecord } from '../../../lambda/aws/remediation-store-types';
import { buildPlan } from '../../../lambda/core/remediation/plan';
import { buildCheckModal } from '../../../lambda/slack/remediation/check-modal';
import { buildPlanCard, buildPlanOutcome } from '../../../lambda/slack/remediation/plan-card';
import { buildResultMessage } from '../../../lambda/slack/remediation/result-message';
import { buildStatusMessage } from '../../../lambda/slack/remediation/status-message';
import { buildFleetProgressMessage } from '../../../lambda/slack/remediation/fleet-progress-message';
import { buildFleetTableMessages } from '../../../lambda/slack/remediation/fleet-table-message';
import { HOSTILE_MRKDWN, mrkdwnStrings, strayControlCharacters } from '../../helpers/slack-mrkdwn-check';
import { RESTARTED, STALE_DAEMON_CHECK } from '../remediation/fixtures';

/**
 * Issue 10 point 3, remediation side: the plan card, the status message, the result message and the check modal,
 * rendered with hostile text wherever the host or the user supplies it, hold no raw `<`, `>` or `&` except the
 * control sequences we mean (user mentions of the requester, links).
 */
const A = 'i-0aaaaaaaaaaaaaaaa';

function remediationMessages(): { name: string; message: unknown }[] {
  const plan = buildPlan({
    planId: 'p-1',
    requestId: 'r-1',
    action: 'restart',
    target: { kind: 'fleet', tag: { key: 'team', value: 'payments' } },
    requestedBy: 'U0PERSON01',
    channelId: 'C0CHANNEL1',
    document: { name: 'ShimFix-RestartContainerRuntime', version: '7' },
    instanceIds: [A],
    now: new Date('2026-01-02T03:00:00Z'),
  });
  const audit: AuditRecord = {
    requestId: 'r-1',
    action: 'restart',
    target: `tag:team=${HOSTILE_MRKDWN}`,
    requestedBy: 'U0PERSON01',
    channelId: 'C0CHANNEL1',
    createdAt: '2026-01-02T03:00:00.000Z',
    state: 'sent',
    instanceIds: [A],
    commandId: 'cmd-1',
    document: { name: 'ShimFix-RestartContainerRuntime', version: '7' },
    instances: { [A]: { status: 'Failed', rank: 10, at: 'x' } },
  };
  return [
    { name: 'plan card', message: buildPlanCard(plan, `1 online Linux instance ${HOSTILE_MRKDWN}`) },
    { name: 'plan outcome', message: buildPlanOutcome('Only <@U0PERSON01> can restart.') },
    { name: 'status message', message: buildStatusMessage(audit) },
    { name: 'closed status message', message: buildStatusMessage({ ...audit, outcome: 'failed' }) },
    {
      name: 'check result with hostile stderr',
      message: buildResultMessage({ action: 'check', instanceId: A, status: 'Success', result: STALE_DAEMON_CHECK, stderr: HOSTILE_MRKDWN, offerRestart: true }),
    },
    {
      name: 'failed restart with hostile status details',
      message: buildResultMessage({ action: 'restart', instanceId: A, status: 'Failed', statusDetails: HOSTILE_MRKDWN, responseCode: 1, result: RESTARTED, stderr: HOSTILE_MRKDWN, offerRestart: false }),
    },
    { name: 'check modal', message: buildCheckModal({ channelId: 'C0CHANNEL1', threadTs: '1712345678.000100' }) },
    {
      name: 'fleet progress message, halted with a hostile reason',
      message: buildFleetProgressMessage({
        requestId: 'r-1', target: `tag:team=${HOSTILE_MRKDWN}`, phase: 'restart', total: 10, done: 4, failed: 1, skipped: 5, inFlight: 0,
        wave: { index: 2, count: 10 }, startedAt: 0, now: 60_000, finished: true, haltedReason: `stopped after ${HOSTILE_MRKDWN}`,
      }),
    },
    ...buildFleetTableMessages({ requestId: 'r-1', target: `tag:team=${HOSTILE_MRKDWN}`, rows: [{ instanceId: A, outcome: HOSTILE_MRKDWN, detail: HOSTILE_MRKDWN }] })
      .map((message) => ({ name: 'fleet per-instance table with hostile outcome and detail', message })),
  ];
}

describe('every remediation message is escaped mrkdwn', () => {
  test.each(remediationMessages())('$name', ({ message }) => {
    // Act
    const stray = mrkdwnStrings(message).flatMap(strayControlCharacters);

    // Assess
    expect(stray).toEqual([]);
  });
});
