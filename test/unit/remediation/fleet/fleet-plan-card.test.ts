import type { Plan } from '../../../../lambda/core/remediation/types';
import type { FleetCheckSummary, FleetFinding } from '../../../../lambda/remediation/fleet/types';
import { buildFleetPlanCard, FLEET_PLAN_IDS } from '../../../../lambda/slack/remediation/fleet-plan-card';
import { readRolloutSettings } from '../../../../lambda/slack/remediation/fleet-plan-listener';

const id = (index: number) => `i-${index.toString(16).padStart(17, '0')}`;

function summary(findings: FleetFinding[]): FleetCheckSummary {
  const counts = { 'restart-fixes': 0, 'docker-stops-containers': 0, healthy: 0, 'restart-will-not-help': 0, 'managed-elsewhere': 0, unreachable: 0 };
  for (const finding of findings) counts[finding.category] += 1;
  return { checkRequestId: 'r-check', purpose: 'restart', target: 'tag:team=payments', channelId: 'C1', requestedBy: 'U1', total: findings.length, counts, findings, completedAt: '2026-12-02T10:00:00.000Z', unreachable: counts.unreachable };
}

const findings: FleetFinding[] = [
  ...Array.from({ length: 40 }, (_, index): FleetFinding => ({ instanceId: id(index), category: 'restart-fixes', verdict: 'stale-daemon', detail: 'stale' })),
  ...Array.from({ length: 2 }, (_, index): FleetFinding => ({ instanceId: id(40 + index), category: 'docker-stops-containers', verdict: 'stale-daemon', detail: 'stale', runningContainers: 4 })),
  { instanceId: id(50), category: 'restart-will-not-help', verdict: 'downgrade', detail: 'x', runbookId: 'containerd-unsupported-upgrade-path' },
  { instanceId: id(51), category: 'unreachable', verdict: 'no-result', detail: 'SSM reports TimedOut' },
];

const plan: Plan = {
  planId: 'p-1',
  requestId: 'r-1',
  action: 'restart',
  target: { kind: 'fleet', tag: { key: 'team', value: 'payments' } },
  requestedBy: 'U1',
  channelId: 'C1',
  instanceIds: [],
  rollout: { maxConcurrency: '1', maxErrors: '0', timeoutSeconds: 600 },
  restarts: [],
  warnings: [],
  createdAt: '2026-12-02T10:00:00.000Z',
  expiresAt: 1_800_000_000,
  document: { name: 'ShimFix-RestartContainerRuntime', version: '3' },
  fleet: { checkRequestId: 'r-check', targetLabel: 'tag:team=payments', restartIds: findings.slice(0, 40).map((finding) => finding.instanceId), dockerIds: [id(40), id(41)], dockerContainers: 8 },
};

function texts(message: ReturnType<typeof buildFleetPlanCard>): string {
  return JSON.stringify(message.blocks);
}

describe('buildFleetPlanCard', () => {
  it('shows the counts, a few ids per group, the verdict groups with runbooks, and the two confirms with what they restart', () => {
    // Act
    const card = buildFleetPlanCard(summary(findings), plan);
    // Assess
    const all = texts(card);
    expect(all).toContain('*Restart will fix* (stale daemon after an upgrade): *40*');
    expect(all).toContain('and 35 more');
    expect(all).toContain('downgrade (1), runbook `containerd-unsupported-upgrade-path`');
    expect(all).toContain('*Unreachable or no result*');
    const buttons = (card.blocks ?? []).flatMap((block) => ('elements' in block && block.type === 'actions' ? block.elements : []));
    expect(buttons.map((element) => ('text' in element && element.text && 'text' in element.text ? element.text.text : element.type))).toEqual([
      'static_select',
      'static_select',
      'Restart containerd on 40 hosts',
      '…and 2 host(s) where Docker restarts — stops 8 container(s)',
      'Cancel',
    ]);
  });

  it('offers no Confirm when nothing needs a restart', () => {
    // Act
    const card = buildFleetPlanCard(summary(findings.slice(50)), undefined);
    // Assess
    expect(texts(card)).not.toContain(FLEET_PLAN_IDS.confirm);
    expect(card.text).toContain('nothing to restart');
  });
});

describe('readRolloutSettings (the card selects, validated at the boundary)', () => {
  const state = (wave?: string, failures?: string) => ({
    values: {
      [FLEET_PLAN_IDS.settingsBlock]: {
        ...(wave ? { [FLEET_PLAN_IDS.wavePercent]: { type: 'static_select', selected_option: { value: wave } } } : {}),
        ...(failures ? { [FLEET_PLAN_IDS.maxFailures]: { type: 'static_select', selected_option: { value: failures } } } : {}),
      },
    },
  });

  it('reads the chosen values, and the defaults when untouched', () => {
    expect(readRolloutSettings(state('25', '2'))).toEqual({ wavePercent: 25, maxFailures: 2 });
    expect(readRolloutSettings(undefined)).toEqual({ wavePercent: 5, maxFailures: 0 });
  });

  it('refuses a value the card never offered (a forged payload)', () => {
    expect(readRolloutSettings(state('33'))).toBeUndefined();
    expect(readRolloutSettings(state('5', '500'))).toBeUndefined();
  });
});
