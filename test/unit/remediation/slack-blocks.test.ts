import type { AuditRecord } from '../../../lambda/aws/remediation-store-types';
import { buildPlan } from '../../../lambda/core/remediation/plan';
import { buildPlanCard, buildPlanOutcome } from '../../../lambda/slack/remediation/plan-card';
import { buildResultMessage, stderrTail, STDERR_TAIL_LINES } from '../../../lambda/slack/remediation/result-message';
import { buildStatusMessage } from '../../../lambda/slack/remediation/status-message';
import { RESTARTED, STALE_DAEMON_CHECK } from './fixtures';

const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';

describe('plan card', () => {
  it('shows the pinned version, the rollout of a fleet and Confirm/Cancel carrying the plan id', () => {
    // Prepare
    const plan = buildPlan({
      planId: 'p-1',
      requestId: 'r-1',
      action: 'restart',
      target: { kind: 'fleet', tag: { key: 'team', value: 'payments' } },
      requestedBy: 'U1',
      channelId: 'C1',
      document: { name: 'ShimFix-RestartContainerRuntime', version: '7' },
      instanceIds: [A, B],
      now: new Date('2026-01-02T03:00:00Z'),
    });

    // Act
    const card = JSON.stringify(buildPlanCard(plan, '2 online Linux instance(s)'));

    // Assess
    expect(card).toContain('`ShimFix-RestartContainerRuntime` version 7');
    expect(card).toContain('one instance at a time, stops at the first failure');
    expect(card).toContain('"action_id":"remediation_confirm"');
    expect(card).toContain('"action_id":"remediation_cancel"');
    expect(card.match(/"value":"p-1"/g)).toHaveLength(2);
  });

  it('keeps mentions as mentions in the message and readable in the notification text', () => {
    // Act
    const message = buildPlanOutcome('Only <@U111> can restart.');

    // Assess
    expect(message.text).toBe('Only @U111 can restart.');
    expect(JSON.stringify(message.blocks)).toContain('<@U111>');
  });
});

describe('status message', () => {
  const audit: AuditRecord = {
    requestId: 'r-1',
    action: 'restart',
    target: 'tag:team=payments',
    requestedBy: 'U1',
    channelId: 'C1',
    createdAt: '2026-01-02T03:00:00.000Z',
    state: 'sent',
    instanceIds: [A, B],
    commandId: 'cmd-1',
    document: { name: 'ShimFix-RestartContainerRuntime', version: '7' },
    instances: { [A]: { status: 'Success', rank: 10, at: 'x' } },
  };

  it('lists every instance with its latest status, pending ones included', () => {
    // Act
    const json = JSON.stringify(buildStatusMessage(audit).blocks);

    // Assess
    expect(json).toContain(`:white_check_mark: \`${A}\` Success`);
    expect(json).toContain(`:hourglass_flowing_sand: \`${B}\` Pending`);
    expect(json).toContain('command `cmd-1`');
  });

  it('ends with the outcome once the request is closed', () => {
    // Act
    const json = JSON.stringify(buildStatusMessage({ ...audit, outcome: 'failed' }).blocks);

    // Assess
    expect(json).toContain(':x: *Failed.*');
  });
});

describe('result message', () => {
  it('offers Restart only for a check whose verdict is needs-restart', () => {
    // Act
    const check = JSON.stringify(buildResultMessage({ action: 'check', instanceId: A, status: 'Success', result: STALE_DAEMON_CHECK, stderr: '', offerRestart: true }));
    const restart = JSON.stringify(buildResultMessage({ action: 'restart', instanceId: A, status: 'Success', result: RESTARTED, stderr: '', offerRestart: true }));

    // Assess
    expect(check).toContain('"action_id":"remediation_restart"');
    expect(restart).not.toContain('remediation_restart');
    expect(restart).toContain(`/shim-fix check ${A}`);
  });

  it.each([
    ['a healthy check', { ...STALE_DAEMON_CHECK, verdict: 'healthy' as const }, ':white_check_mark:'],
    ['a stale daemon', STALE_DAEMON_CHECK, ':warning:'],
    ['duplicate binaries', { ...STALE_DAEMON_CHECK, verdict: 'duplicate-binaries' as const }, ':warning:'],
    ['a daemon that is not running', { ...STALE_DAEMON_CHECK, verdict: 'not-running' as const }, ':warning:'],
    ['a successful restart', RESTARTED, ':white_check_mark:'],
  ])('marks %s with %s', (_, result, icon) => {
    // Act
    const message = JSON.stringify(buildResultMessage({ action: result.action, instanceId: A, status: 'Success', result, stderr: '', offerRestart: false }));

    // Assess
    expect(message).toContain(`${icon} `);
  });

  it('ignores a result line whose action is not the one sent: no Restart button, no claim believed', () => {
    // Act: a restart command whose last line claims to be a check that found a stale daemon.
    const message = buildResultMessage({ action: 'restart', instanceId: A, status: 'Success', result: STALE_DAEMON_CHECK, stderr: '', offerRestart: true });

    // Assess
    expect(message.text).toContain('its result line claims to come from a check, not the restart that was sent, so shim-fix ignores it');
    expect(JSON.stringify(message)).not.toContain('remediation_restart');
    expect(JSON.stringify(message)).toContain(':x:');
  });

  it('leads with SSM\'s status when it is not Success, and quotes the script only as what it said', () => {
    // Act
    const message = buildResultMessage({ action: 'restart', instanceId: A, status: 'Failed', responseCode: 1, result: RESTARTED, stderr: 'boom', offerRestart: true });

    // Assess
    expect(message.text.startsWith(`${A}: SSM reports Failed (exit 1); the script said: “`)).toBe(true);
    expect(JSON.stringify(message)).toContain(':x:');
  });

  it('explains a missing result line by the SSM status', () => {
    // Act
    const message = buildResultMessage({ action: 'restart', instanceId: A, status: 'TimedOut', statusDetails: 'DeliveryTimedOut', stderr: '', offerRestart: true });

    // Assess
    expect(message.text).toContain('SSM reports TimedOut (DeliveryTimedOut) before printing a result');
  });

  it('keeps only the tail of stderr, and escapes it', () => {
    // Prepare
    const stderr = Array.from({ length: 50 }, (_, i) => `line ${i} <!channel>`).join('\n');

    // Act
    const tail = stderrTail(stderr);
    const json = JSON.stringify(buildResultMessage({ action: 'restart', instanceId: A, status: 'Failed', stderr, offerRestart: false }));

    // Assess
    expect(tail.split('\n')).toHaveLength(STDERR_TAIL_LINES);
    expect(tail.startsWith('line 35')).toBe(true);
    expect(json).not.toContain('<!channel>');
  });
});
