/**
 * The fleet flow's contract (H5 owns it; H6's scan and H8's progress message build on it — extend, don't rename).
 *
 * A fleet request first checks every instance (read-only), records each instance's finding exactly once, and when every
 * instance has reported (or the give-up bound passed: the rest count as `unreachable`) hands ONE summary to the
 * completion port of its purpose: `restart` → the fleet plan card for the requester (lambda/slack/remediation/
 * fleet-plan-card.ts), `scan` → H6's scan report. Nothing here knows Slack or AWS.
 *
 * Wiring: `createRemediationService` (lambda/slack/remediation/create-remediation.ts) returns `fleet`, a
 * {@link FleetCheckStarter}, and accepts `fleetCompletions: Partial<Record<FleetCheckPurpose, FleetCheckCompletion>>`
 * (the `restart` one is built in; H6 passes `scan`). The completion runs in the status handler or the sweeper,
 * whichever saw the last answer, exactly once per check (a conditional write claims it).
 */

/** What a check measured on one host, reduced to what a fleet decision needs. */
export type FleetCategory =
  /** A stale daemon after an upgrade, and a containerd restart touches no container: Confirm restarts these. */
  | 'restart-fixes'
  /** A stale daemon, but the restart would stop Docker containers (live-restore off): only with the separate, explicit choice. */
  | 'docker-stops-containers'
  /** Containerd already runs the installed version: nothing to do. */
  | 'healthy'
  /** Downgrade, shim newer than daemon, config rejected, unsafe KillMode, …: grouped by verdict with the runbook. */
  | 'restart-will-not-help'
  /** Containerd run by k3s, rke2, snap or dockerd: restart that unit instead. */
  | 'managed-elsewhere'
  /** Offline, not Linux, no result line, the check failed, or no answer before the give-up bound. */
  | 'unreachable';

/** The categories in the order the card and the scan report list them. */
export const FLEET_CATEGORIES = ['restart-fixes', 'docker-stops-containers', 'healthy', 'restart-will-not-help', 'managed-elsewhere', 'unreachable'] as const satisfies readonly FleetCategory[];

export interface FleetFinding {
  instanceId: string;
  category: FleetCategory;
  /** The result line's verdict (`stale-daemon`, `downgrade`, …) or `no-result`. */
  verdict: string;
  /** One short inert sentence: why this category (host-reported text already escaped and capped). */
  detail: string;
  /** For `docker-stops-containers`: the running containers a Docker restart would stop. */
  runningContainers?: number;
  /** The runbook that applies (knowledge/ id). */
  runbookId?: string;
}

export type FleetCheckPurpose = 'restart' | 'scan';

export interface FleetCheckSummary {
  checkRequestId: string;
  purpose: FleetCheckPurpose;
  /** As shown to people: `tag:team=payments`, `every allow-tagged instance`, or the `instances` source's label. */
  target: string;
  channelId: string;
  requestedBy?: string;
  /** Instances checked (including the unreachable ones). */
  total: number;
  counts: Record<FleetCategory, number>;
  /** One per instance, sorted by instance id. */
  findings: FleetFinding[];
  /** ISO 8601. */
  completedAt: string;
  /** Same as `counts.unreachable`: instances with no usable result (offline, failed, or past the give-up bound). */
  unreachable: number;
}

/** What happens when a fleet check has every answer (or gave up waiting). 'restart' → the plan card; 'scan' → H6's report. */
export interface FleetCheckCompletion {
  complete(summary: FleetCheckSummary): Promise<void>;
}

/** Where the instances of a fleet check come from. Every instance is still preflighted (online, Linux, both tags). */
export type FleetSource =
  | { kind: 'tag'; key: string; value: string }
  | { kind: 'allow-tagged' }
  /** H6's "Restart the N stale hosts…": a fresh check-first restart over exactly these ids. */
  | { kind: 'instances'; instanceIds: string[]; label: string };

export interface FleetCheckStartInput {
  purpose: FleetCheckPurpose;
  channelId: string;
  /** Absent for the scheduled scan (no person asked; nobody is authorised or told ephemerally). */
  requestedBy?: string;
  source: FleetSource;
}

/** How H6 starts a scan: the fleet source is a tag (`tag:K=V`, both tags required as always) or every allow-tagged instance. */
export interface FleetCheckStarter {
  startFleetCheck(input: FleetCheckStartInput): Promise<{ checkRequestId: string } | { refused: string }>;
}
