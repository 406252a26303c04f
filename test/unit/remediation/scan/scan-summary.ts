import type { FleetCategory, FleetCheckSummary, FleetFinding } from '../../../../lambda/remediation/fleet/types';

/** Instance ids of the right form, sorted as the fleet flow sorts them. */
export const scanIds = (count: number, from = 0): string[] => Array.from({ length: count }, (_, index) => `i-${(from + index).toString(16).padStart(17, '0')}`);

export const STALE = (instanceId: string, docker = false): FleetFinding => ({
  instanceId,
  category: docker ? 'docker-stops-containers' : 'restart-fixes',
  verdict: 'stale-daemon',
  detail: 'A containerd restart will fix this: the running daemon (1.7.27) is older than the installed one (2.1.4).',
  runbookId: 'shim-version-mismatch',
  ...(docker ? { runningContainers: 3 } : {}),
});
export const SHIM_NEWER = (instanceId: string): FleetFinding => ({
  instanceId,
  category: 'restart-will-not-help',
  verdict: 'shim-newer-than-daemon',
  detail: 'A restart will not help: the shim on disk is 2.x but the installed containerd is 1.7.27.',
  runbookId: 'stale-components-after-upgrade',
});
export const HEALTHY = (instanceId: string): FleetFinding => ({ instanceId, category: 'healthy', verdict: 'healthy', detail: 'containerd already runs the installed version' });
export const UNREACHABLE = (instanceId: string): FleetFinding => ({ instanceId, category: 'unreachable', verdict: 'no-result', detail: 'SSM reports TimedOut' });

/** A completed scan as the fleet flow hands it to the completion port (lambda/remediation/fleet/types.ts). */
export function scanSummary(findings: FleetFinding[], overrides: Partial<FleetCheckSummary> = {}): FleetCheckSummary {
  const counts: Record<FleetCategory, number> = { 'restart-fixes': 0, 'docker-stops-containers': 0, healthy: 0, 'restart-will-not-help': 0, 'managed-elsewhere': 0, unreachable: 0 };
  for (const finding of findings) counts[finding.category] += 1;
  const sorted = [...findings].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  return {
    checkRequestId: 'r-scan0000001',
    purpose: 'scan',
    target: 'every allow-tagged instance',
    channelId: 'C0SCANS001',
    total: findings.length,
    counts,
    findings: sorted,
    completedAt: '2026-12-02T06:04:00.000Z',
    unreachable: counts.unreachable,
    ...overrides,
  };
}
