import type { Target } from './targets';

/** `check` runs the read-only check document; `restart` restarts containerd (then Docker) on the target. */
export type RemediationAction = 'check' | 'restart';

/** What SSM knows about one managed node (DescribeInstanceInformation), reduced to what the preflight needs. */
export interface ManagedInstance {
  instanceId: string;
  /** `Online`, `ConnectionLost` or `Inactive`. */
  pingStatus: string;
  /** `Linux`, `Windows` or `MacOS`; missing when the agent has not reported yet. */
  platformType?: string;
  platformName?: string;
  platformVersion?: string;
  computerName?: string;
  agentVersion?: string;
}

/** One instance as the preflight sees it: `instance` is undefined when SSM does not manage it. */
export interface InstanceFacts {
  instanceId: string;
  instance?: ManagedInstance;
  hasAllowTag: boolean;
}

/** A fleet as the preflight sees it. */
export interface FleetFacts {
  tag: { key: string; value: string };
  /** Managed nodes carrying both the requested tag and the allow tag. */
  eligible: ManagedInstance[];
  /** Managed nodes carrying the requested tag (with or without the allow tag), when known. */
  withRequestedTag?: number;
  /** True when there were more matches than the bot reads; the fleet is then refused as too large. */
  truncated: boolean;
}

export interface DocumentRef {
  name: string;
  /** The document version the command is pinned to, as shown on the plan card. */
  version: string;
}

/** Rollout settings for a command. For one instance they are irrelevant and not sent. */
export interface RolloutOptions {
  /** SendCommand MaxConcurrency. @default "1" (one instance at a time) */
  maxConcurrency: string;
  /** SendCommand MaxErrors. @default "0" (stop on the first failure) */
  maxErrors: string;
  /** SendCommand TimeoutSeconds: how long SSM waits to deliver the command before giving up. @default 600 */
  timeoutSeconds: number;
}

export const DEFAULT_ROLLOUT: RolloutOptions = { maxConcurrency: '1', maxErrors: '0', timeoutSeconds: 600 };

/** Everything the plan card shows and the Confirm button will run, stored until the click. */
export interface Plan {
  planId: string;
  requestId: string;
  action: RemediationAction;
  target: Target;
  requestedBy: string;
  channelId: string;
  document: DocumentRef;
  /** The instances the preflight found; for a fleet, the snapshot the plan was made from. */
  instanceIds: string[];
  rollout: RolloutOptions;
  /** Human lines: what will be restarted, in order. Empty for a check. */
  restarts: string[];
  warnings: string[];
  /** ISO 8601. */
  createdAt: string;
  /** Epoch seconds after which the card is stale. */
  expiresAt: number;
  /**
   * A restart of one instance planned check-first: the read-only check runs before any card offers a restart, and
   * Confirm is refused until {@link evidence} arrived (lambda/remediation/).
   */
  checkFirst?: boolean;
  /** What the check measured on the instance, and which registry actions it offered. */
  evidence?: PlanEvidence;
  /** A fleet restart planned from a fleet check: which hosts Confirm may restart (lambda/remediation/fleet/). */
  fleet?: FleetPlanFacts;
}

/** What a fleet check selected: Confirm restarts `restartIds`, and `dockerIds` only after the separate, explicit choice. */
export interface FleetPlanFacts {
  checkRequestId: string;
  /** As shown to people: `tag:team=payments`, or the source's label. */
  targetLabel: string;
  /** A stale daemon, and the restart touches no container. */
  restartIds: string[];
  /** A stale daemon, but Docker must restart and its running containers stop (live-restore off). */
  dockerIds: string[];
  /** Running containers on the `dockerIds` hosts, in all. */
  dockerContainers: number;
}

/** A check's findings as stored on the restart plan it decides (built by lambda/remediation/evidence.ts). */
export interface PlanEvidence {
  checkRequestId: string;
  instanceId: string;
  verdict: string;
  /** Registry action ids the Confirm buttons may send (empty: a restart will not help). */
  offered: string[];
  sentence: string;
  runbook: string;
  facts: string[];
  /** The offered actions' warnings, computed from what was measured. */
  warnings: string[];
  containersAtRisk?: number;
}
