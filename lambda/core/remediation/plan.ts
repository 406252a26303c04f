import { formatTarget } from './targets';
import { DEFAULT_ROLLOUT, type DocumentRef, type Plan, type RemediationAction, type RolloutOptions } from './types';

/** How long a plan card may be confirmed. After that the facts it showed (online, tagged, version) are too old. */
export const PLAN_TTL_SECONDS = 10 * 60;

/** The documents' execution timeouts (infra/constructs/command-documents.ts): the longest one host can take. */
export const EXECUTION_SECONDS = { check: 120, restart: 600 } as const;

/**
 * SendCommand's TimeoutSeconds is one deadline for the whole command: an instance whose turn has not come by then is
 * never run (DeliveryTimedOut). A fleet rolled out one at a time therefore gets the delivery window plus one full
 * execution per earlier instance, so its last instance is still reached (security review S-a).
 */
export function deliveryTimeoutSeconds(action: RemediationAction, instanceCount: number, base = DEFAULT_ROLLOUT.timeoutSeconds): number {
  return base + Math.max(0, instanceCount - 1) * EXECUTION_SECONDS[action];
}

/** What the restart document does, in order (the action registry, lambda/remediation/actions.ts, shows the same steps). */
export const RESTART_STEPS = [
  'the script re-runs the probes and touches nothing unless the daemon is still stale',
  'containerd: `systemctl restart containerd` (with `daemon-reload` when the unit needs it), then its socket, its version and the CRI plugin are verified',
  'Docker is left running (dockerd reconnects); it is restarted only when dockerd itself is stale or does not recover',
] as const;

export const LIVE_RESTORE_WARNING =
  'Running containers keep running: only containerd restarts, and their shims outlive it. On a host where a restart ' +
  'would stop Docker containers (live-restore off, and dockerd stale or docker.service bound to containerd) the script ' +
  'refuses and touches nothing; restart such a host on its own to choose that explicitly.';

/** What the plan card will show, as the preflight found it; rollout defaults and expiry are filled in here. */
export type BuildPlanInput = Pick<Plan, 'planId' | 'requestId' | 'action' | 'target' | 'requestedBy' | 'channelId' | 'document' | 'instanceIds'> & {
  rollout?: Partial<RolloutOptions>;
  now: Date;
  ttlSeconds?: number;
};

/**
 * Builds what the plan card shows and the Confirm button runs. Pure: ids and time come from the caller.
 *
 * @example
 * buildPlan({ planId, requestId, action: 'restart', target, requestedBy: 'U1', channelId: 'C1',
 *   document: { name: 'ShimFix-RestartContainerRuntime', version: '3' }, instanceIds: ['i-0123456789abcdef0'], now: new Date() });
 */
export function buildPlan(input: BuildPlanInput): Plan {
  const rollout: RolloutOptions = { ...DEFAULT_ROLLOUT, ...input.rollout };
  if (input.target.kind === 'fleet' && input.rollout?.timeoutSeconds === undefined) {
    rollout.timeoutSeconds = deliveryTimeoutSeconds(input.action, input.instanceIds.length);
  }
  const warnings: string[] = [];
  if (input.action === 'restart') warnings.push(LIVE_RESTORE_WARNING);
  if (input.target.kind === 'fleet') {
    warnings.push(
      `Instances that gain the tags before SSM resolves the targets are included too; the plan counted ${input.instanceIds.length}.`,
    );
  }
  return {
    planId: input.planId,
    requestId: input.requestId,
    action: input.action,
    target: input.target,
    requestedBy: input.requestedBy,
    channelId: input.channelId,
    document: input.document,
    instanceIds: [...input.instanceIds].sort(),
    rollout,
    restarts: input.action === 'restart' ? [...RESTART_STEPS] : [],
    warnings,
    createdAt: input.now.toISOString(),
    expiresAt: Math.floor(input.now.getTime() / 1000) + (input.ttlSeconds ?? PLAN_TTL_SECONDS),
  };
}

/** What a fresh preflight at Confirm time found, to compare with the card the user saw. */
export interface PlanFacts {
  document: DocumentRef;
  instanceIds: string[];
}

/**
 * Says what changed between the card and now, or undefined when the card still shows the truth.
 * A changed document version or instance set makes the card stale: the user confirmed something else.
 */
export function describeDrift(plan: Plan, fresh: PlanFacts): string | undefined {
  const changes: string[] = [];
  if (fresh.document.name !== plan.document.name || fresh.document.version !== plan.document.version) {
    changes.push(`the document is now ${fresh.document.name} version ${fresh.document.version} (the card showed version ${plan.document.version})`);
  }
  const shown = new Set(plan.instanceIds);
  const now = new Set(fresh.instanceIds);
  const added = fresh.instanceIds.filter((id) => !shown.has(id));
  const removed = plan.instanceIds.filter((id) => !now.has(id));
  if (added.length > 0) changes.push(`${added.length} instance(s) joined: ${added.slice(0, 3).join(', ')}${added.length > 3 ? ', ...' : ''}`);
  if (removed.length > 0) changes.push(`${removed.length} instance(s) left: ${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', ...' : ''}`);
  return changes.length > 0 ? changes.join('; ') : undefined;
}

/** The slash command that makes a fresh plan for the same request, for "try again" copy. */
export function retryCommand(plan: Pick<Plan, 'action' | 'target'>): string {
  return `/shim-fix ${plan.action} ${formatTarget(plan.target)}`;
}
