import type { KnownBlock } from '@slack/types';
import { button } from '../blocks/answer-card';
import { fitMessage, type SlackMessage } from '../blocks/limits';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import type { Plan, PlanEvidence } from '../../core/remediation/types';
import { ACTIONS, isActionId, type ActionId } from '../../remediation/actions';
import { REMEDIATION_IDS } from './ids';
import { planCardFooter } from './plan-card';

const BUTTON_IDS: Record<Exclude<ActionId, 'check'>, string> = {
  restart: REMEDIATION_IDS.confirm,
  'restart-with-docker': REMEDIATION_IDS.confirmWithDocker,
};

/**
 * The ephemeral plan card of a check-first restart: what the check measured on the host, the verdict, and a Confirm
 * only when a containerd restart will fix it (a separate, explicit button when Docker containers would stop).
 *
 * @example
 * await chat.postEphemeral({ channel, user, ...buildEvidenceCard(plan, plan.evidence) });
 */
export function buildEvidenceCard(plan: Plan, evidence: PlanEvidence): SlackMessage {
  const id = `\`${escapeMrkdwn(evidence.instanceId)}\``;
  const offered = evidence.offered.filter(isActionId).filter((action): action is Exclude<ActionId, 'check'> => action !== 'check');
  const heading = offered.length > 0 ? `*Restart containerd on ${id}?*` : `*${id}: a restart will not help*`;
  // Verbatim, escaped: the facts carry what the host reported (already made one short inert line each).
  const measured = evidence.facts.map((fact) => `• ${escapeMrkdwn(fact)}`).join('\n');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${heading}\n${escapeMrkdwn(evidence.sentence)}`, verbatim: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Measured by the read-only check:*\n${measured}`, verbatim: true } },
  ];
  if (offered.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Nothing was restarted. Runbook: \`${escapeMrkdwn(evidence.runbook)}\` (\`/shim-fix search ${escapeMrkdwn(evidence.runbook)}\`). Request \`${plan.requestId}\`.` }] });
    return fitMessage({ text: `${evidence.instanceId}: a restart will not help. ${evidence.sentence}`, blocks });
  }
  const spec = ACTIONS[offered[0] ?? 'restart'];
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text:
        `*Runs:* SSM document \`${escapeMrkdwn(plan.document.name)}\` version ${escapeMrkdwn(plan.document.version)} (nothing else)\n` +
        `*Restarts, in order:*\n${spec.restarts.map((step, index) => `${index + 1}. ${step}`).join('\n')}`,
    },
  });
  for (const warning of evidence.warnings) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(warning)}` }] });
  }
  blocks.push(
    ...planCardFooter(
      plan,
      offered.map((action) => button(BUTTON_IDS[action], action === 'restart-with-docker' ? `Restart containerd and Docker — stops ${evidence.containersAtRisk ?? 0} containers` : 'Confirm restart', plan.planId, 'danger')),
    ),
  );
  return fitMessage({ text: `Restart containerd on ${evidence.instanceId}? ${evidence.sentence}`, blocks });
}
