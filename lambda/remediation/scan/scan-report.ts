import type { FleetCheckSummary, FleetFinding } from '../fleet/types';

/**
 * What a scan found, reduced to what its report and App Home need. Pure: nothing here knows Slack or AWS.
 *
 * A scan reports only hosts that WILL fail new containers (issue 13 point 3): a stale daemon after an upgrade (the
 * old containerd still runs, and cannot start the new shim) and a shim newer than its daemon (a restart starts the same
 * old daemon). Everything else a fleet check can find — healthy, managed by k3s, a rejected config, unreachable — is
 * not news for a channel that nobody asked, so a fleet with none of the two is "clean" and the channel hears nothing.
 */

/** The two ways a host fails new containers, in the order the report lists them. */
export const FAILING_KINDS = ['stale-daemon', 'shim-newer-than-daemon'] as const;
export type FailingKind = (typeof FAILING_KINDS)[number];

/** How many stale ids the `scan#last` summary keeps (App Home shows the first 20); the scan record keeps all. */
export const LAST_SCAN_STALE_CAP = 50;

export interface ScanRecord {
  /** The fleet check's request id: also the id the report's button carries. */
  scanId: string;
  /** As shown to people: `every allow-tagged instance` or `tag:team=payments`. */
  target: string;
  channelId: string;
  /** Absent for the scheduled scan. */
  requestedBy?: string;
  /** ISO 8601. */
  completedAt: string;
  checked: number;
  unreachable: number;
  /** Hosts whose fix is a containerd restart (verdict stale-daemon), sorted. The button restarts-after-checking these. */
  staleDaemon: string[];
  /** Hosts whose shim is newer than the daemon (a restart will not help: install a matching containerd), sorted. */
  shimNewer: string[];
}

/** The report for the channel, or undefined when the scan found nothing that will fail. */
export interface ScanReport {
  record: ScanRecord;
  /** Hosts that will fail new containers, both kinds. */
  failing: number;
  groups: { kind: FailingKind; instanceIds: string[]; /** The first host's reason (inert host text, already capped). */ detail: string; runbookId?: string }[];
}

/**
 * @example
 * scanRecordOf(summary).staleDaemon // ['i-0a…', 'i-0b…']
 */
export function scanRecordOf(summary: FleetCheckSummary): ScanRecord {
  const ids = (kind: FailingKind) => failingOf(summary.findings, kind).map((finding) => finding.instanceId);
  return {
    scanId: summary.checkRequestId,
    target: summary.target,
    channelId: summary.channelId,
    ...(summary.requestedBy !== undefined ? { requestedBy: summary.requestedBy } : {}),
    completedAt: summary.completedAt,
    checked: summary.total,
    unreachable: summary.unreachable,
    staleDaemon: ids('stale-daemon'),
    shimNewer: ids('shim-newer-than-daemon'),
  };
}

/**
 * The channel report of a completed scan; undefined for a clean fleet (then nothing is posted).
 *
 * @example
 * buildScanReport(summary) === undefined // every host healthy, unreachable or otherwise not failing
 */
export function buildScanReport(summary: FleetCheckSummary): ScanReport | undefined {
  const record = scanRecordOf(summary);
  const groups = FAILING_KINDS.flatMap((kind) => {
    const findings = failingOf(summary.findings, kind);
    const first = findings[0];
    if (first === undefined) return [];
    return [{ kind, instanceIds: findings.map((finding) => finding.instanceId), detail: first.detail, ...(first.runbookId !== undefined ? { runbookId: first.runbookId } : {}) }];
  });
  if (groups.length === 0) return undefined;
  return { record, failing: record.staleDaemon.length + record.shimNewer.length, groups };
}

/** The summary App Home keeps: the record with its stale ids capped (the full record stays under its own key). */
export function lastScanOf(record: ScanRecord): ScanRecord & { staleTotal: number } {
  return { ...record, staleDaemon: record.staleDaemon.slice(0, LAST_SCAN_STALE_CAP), shimNewer: record.shimNewer.slice(0, LAST_SCAN_STALE_CAP), staleTotal: record.staleDaemon.length + record.shimNewer.length };
}

/**
 * Which findings are of one failing kind. Only a measured verdict counts: a stale daemon the check saw, whether a
 * containerd restart alone fixes it (`restart-fixes`) or Docker would stop containers (`docker-stops-containers`).
 */
function failingOf(findings: readonly FleetFinding[], kind: FailingKind): FleetFinding[] {
  return findings
    .filter((finding) => finding.verdict === kind && finding.category !== 'unreachable')
    .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
}
