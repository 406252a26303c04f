import type { AuditRecord } from '../aws/remediation-store-types';
import { isSuccessStatus } from '../core/remediation/command-status';
import type { Plan, PlanEvidence } from '../core/remediation/types';
import { ACTIONS, offeredActions } from './actions';
import { evidenceOf } from './evidence';
import type { PlanNotice } from './notifier';
import type { StatusEventDeps } from './status-events';
import { showOnce } from './status-post-once';

/** How long the plan card of a check-first restart may be confirmed, counted from when it is shown. */
const EVIDENCE_CARD_TTL_SECONDS = 10 * 60;

/**
 * A check run before a restart finished: its measurement becomes the evidence on the restart plan, and the requester
 * is shown the plan card. Confirm is offered only when a containerd restart will fix what was measured; any other
 * verdict closes the plan with the reason. Shown once, like every result; true when this call showed it.
 */
export async function showEvidence(audit: AuditRecord, planId: string, commandId: string, instanceId: string, deps: StatusEventDeps): Promise<boolean> {
  const text = await showOnce(deps, audit.requestId, instanceId, async () =>
    deps.notifier.planReady(audit, await decidePlanNotice(audit, planId, commandId, instanceId, deps)),
  );
  if (text === undefined) return false;
  await deps.store.appendEvent(audit.requestId, { type: 'evidence-shown', detail: `${instanceId}: ${text}`.slice(0, 1000) });
  return true;
}

/** Reads the check's result, attaches it to the plan as evidence, and closes a plan whose restart will not be offered. */
async function decidePlanNotice(audit: AuditRecord, planId: string, commandId: string, instanceId: string, deps: StatusEventDeps): Promise<PlanNotice> {
  const invocation = await deps.ssm.getCommandInvocation(commandId, instanceId);
  const parsed = ACTIONS.check.parseResult(invocation.stdout);
  const plan = await deps.store.getPlan(planId);
  if (!plan) return { kind: 'plan-gone', instanceId };
  if (!isSuccessStatus(invocation.status) || !parsed || parsed.action !== 'check') {
    const reason = !isSuccessStatus(invocation.status) ? `SSM reports ${invocation.status}` : 'it printed no readable result line';
    await closeRestartPlan(plan, `the check before the restart did not finish: ${reason}`, deps);
    return { kind: 'check-unfinished', instanceId, reason };
  }
  const evidence = evidenceOf(parsed);
  const offered = offeredActions(parsed);
  const stored: PlanEvidence = {
    checkRequestId: audit.requestId,
    instanceId,
    verdict: evidence.verdict,
    offered,
    sentence: evidence.sentence,
    runbook: evidence.runbook,
    facts: evidence.facts,
    warnings: offered.flatMap((id) => ACTIONS[id].warnings(parsed)),
    ...(evidence.containersAtRisk !== undefined ? { containersAtRisk: evidence.containersAtRisk } : {}),
  };
  const now = Math.floor((deps.now ?? Date.now)() / 1000);
  const withEvidence = await deps.store.attachEvidence(planId, stored, now + EVIDENCE_CARD_TTL_SECONDS);
  if (!withEvidence) return { kind: 'plan-closed', instanceId, sentence: evidence.sentence };
  if (offered.length === 0) await closeRestartPlan(withEvidence, evidence.sentence, deps);
  return { kind: 'evidence', plan: withEvidence, evidence: stored };
}

/** A restart that will not be offered: the plan can never be confirmed, and its request closes with the reason. */
async function closeRestartPlan(plan: Plan, reason: string, deps: StatusEventDeps): Promise<void> {
  await deps.store.claimPlan(plan.planId, 'shim-fix', 'cancelled');
  await deps.store.closeAudit(plan.requestId, 'refused', `not offered after the check: ${reason}`.slice(0, 1000));
}
