import type { Button, KnownBlock } from '@slack/types';
import { button } from '../blocks/answer-card';
import { fitMessage, type SlackMessage } from '../blocks/limits';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { formatTarget } from '../../core/remediation/targets';
import type { Plan } from '../../core/remediation/types';
import { REMEDIATION_IDS } from './ids';

/**
 * The ephemeral plan card: exactly what will run where, and Confirm / Cancel. Nothing is sent before Confirm.
 *
 * @example
 * await respond({ response_type: 'ephemeral', ...buildPlanCard(plan, 'i-0123… (node-1), Ubuntu 24.04, SSM agent online') });
 */
export function buildPlanCard(plan: Plan, preflightSummary: string): SlackMessage {
  const target = formatTarget(plan.target);
  const verb = plan.action === 'restart' ? 'Restart the container runtime on' : 'Check the container runtime on';
  const lines = [
    `*${verb} \`${escapeMrkdwn(target)}\`?*`,
    // Host-reported names are made inert by the preflight; Slack's control characters are escaped here.
    `*Where:* ${escapeMrkdwn(preflightSummary)}`,
    `*Runs:* SSM document \`${escapeMrkdwn(plan.document.name)}\` version ${escapeMrkdwn(plan.document.version)} (nothing else, no free-form commands)`,
  ];
  if (plan.target.kind === 'fleet') {
    lines.push(
      `*Rollout:* ${plan.rollout.maxConcurrency === '1' ? 'one instance at a time' : `${plan.rollout.maxConcurrency} at a time`}, ` +
        `${plan.rollout.maxErrors === '0' ? 'stops at the first failure' : `stops after ${plan.rollout.maxErrors} failures`}`,
    );
  }
  lines.push(`*Delivery timeout:* ${Math.round(plan.rollout.timeoutSeconds / 60)} min`);
  if (plan.restarts.length > 0) {
    lines.push(`*Restarts, in order:*\n${plan.restarts.map((step, index) => `${index + 1}. ${step}`).join('\n')}`);
  } else {
    lines.push('*Restarts:* nothing. The check only reads versions, binaries, Docker settings and nested-container hints.');
  }
  // Verbatim: Slack must not auto-link a host name such as `evil.example`.
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n'), verbatim: true } }];
  for (const warning of plan.warnings) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${warning}` }] });
  }
  blocks.push(
    ...planCardFooter(plan, [button(REMEDIATION_IDS.confirm, plan.action === 'restart' ? 'Confirm restart' : 'Run check', plan.planId, plan.action === 'restart' ? 'danger' : 'primary')]),
  );
  return fitMessage({ text: `${verb} ${target}? Confirm or cancel.`, blocks });
}

/** The end of every plan card: request id and expiry, then the confirm buttons given and Cancel (all carry the plan id). */
export function planCardFooter(plan: Pick<Plan, 'planId' | 'requestId' | 'expiresAt'>, confirms: Button[]): KnownBlock[] {
  return [
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Request \`${plan.requestId}\` · this card expires <!date^${plan.expiresAt}^{time}|in 10 minutes>. Every step is audited.` }] },
    { type: 'actions', block_id: 'remediation_plan_actions', elements: [...confirms, button(REMEDIATION_IDS.cancel, 'Cancel', plan.planId)] },
  ];
}

/** What replaces the plan card after a click, so it cannot be clicked again. */
export function buildPlanOutcome(text: string): SlackMessage {
  // The fallback is plain text (fitMessage escapes it): mentions become @U… instead of showing as markup.
  const plain = text.replace(/<@([A-Z0-9]+)>/g, '@$1').replace(/<([^|>]+)\|([^>]+)>/g, '$2');
  return fitMessage({ text: plain, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
}
