import type { KnownBlock, PlainTextOption, StaticSelect } from '@slack/types';
import type { Plan } from '../../core/remediation/types';
import { groupByVerdict } from '../../remediation/fleet/categorise';
import { FLEET_CATEGORIES, type FleetCheckSummary, type FleetCategory } from '../../remediation/fleet/types';
import { DEFAULT_MAX_FAILURES, DEFAULT_WAVE_PERCENT, MAX_FAILURES_CHOICES, WAVE_PERCENT_CHOICES, waveSize } from '../../remediation/fleet/waves';
import { button } from '../blocks/answer-card';
import { fitMessage, type SlackMessage } from '../blocks/limits';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { planCardFooter } from './plan-card';

/** Action and block ids of the fleet plan card (the Confirm value is the plan id, as on every plan card). */
export const FLEET_PLAN_IDS = {
  confirm: 'fleet_confirm',
  confirmWithDocker: 'fleet_confirm_docker',
  settingsBlock: 'fleet_rollout_settings',
  wavePercent: 'fleet_wave_percent',
  maxFailures: 'fleet_max_failures',
} as const;

/** How many instance ids each group lists before "and N more". */
const SHOWN_IDS = 5;

const LABEL: Record<FleetCategory, string> = {
  'restart-fixes': ':large_green_circle: *Restart will fix* (stale daemon after an upgrade)',
  'docker-stops-containers': ':large_orange_circle: *Stale, but Docker would restart and stop its containers* (live-restore off): left out unless you include them',
  healthy: ':white_circle: *Fine*: already running the installed containerd',
  'restart-will-not-help': ':red_circle: *A restart will not help*',
  'managed-elsewhere': ':large_blue_circle: *Managed elsewhere* (k3s, rke2, snap, dockerd): restart that unit instead',
  unreachable: ':black_circle: *Unreachable or no result*: not checked, so never restarted',
};

/**
 * The fleet plan card, built from what the fleet check measured: counts per category with the first few ids, the
 * hosts a restart will not help grouped by verdict with their runbook, the rolling settings (wave size, failures
 * tolerated) as selects, Confirm for the stale hosts only, a separate explicit button that also includes the hosts
 * whose Docker restart stops containers, and Cancel. `plan` is undefined when nothing needs a restart (no Confirm).
 *
 * @example
 * await chat.postEphemeral({ channel, user, ...buildFleetPlanCard(summary, plan) });
 */
export function buildFleetPlanCard(summary: FleetCheckSummary, plan: Plan | undefined): SlackMessage {
  const target = escapeMrkdwn(summary.target);
  const lines = [`*Checked ${summary.total} host(s) in \`${target}\`* (read-only). What the check measured:`];
  for (const category of FLEET_CATEGORIES) {
    const count = summary.counts[category];
    if (count === 0) continue;
    const ids = summary.findings.filter((finding) => finding.category === category).map((finding) => finding.instanceId);
    const containers = category === 'docker-stops-containers' ? ` — ${summary.findings.reduce((sum, finding) => sum + (finding.category === category ? (finding.runningContainers ?? 0) : 0), 0)} container(s)` : '';
    lines.push(`${LABEL[category]}: *${count}*${containers} — ${listIds(ids)}`);
    if (category === 'restart-will-not-help') {
      for (const group of groupByVerdict(summary.findings).slice(0, 6)) {
        lines.push(`    • ${escapeMrkdwn(group.verdict)} (${group.instanceIds.length})${group.runbookId ? `, runbook \`${escapeMrkdwn(group.runbookId)}\`` : ''}: ${listIds(group.instanceIds)}`);
      }
    }
  }
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n'), verbatim: true } }];
  if (!plan?.fleet) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'No host needs a containerd restart, so there is nothing to confirm. Nothing was restarted.' }] });
    return fitMessage({ text: `Checked ${summary.total} host(s) in ${summary.target}: nothing to restart.`, blocks });
  }
  const { restartIds, dockerIds, dockerContainers } = plan.fleet;
  const perWave = waveSize(restartIds.length, DEFAULT_WAVE_PERCENT);
  blocks.push(
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Rollout:* waves of ${DEFAULT_WAVE_PERCENT} % of the selected hosts (${perWave} of ${restartIds.length}, at least 1), the next wave only when the previous one finished; ` +
          'stops at the first failure (the rest is skipped). Change either below before you confirm.\n' +
          `*Runs:* SSM document \`${escapeMrkdwn(plan.document.name)}\` version ${escapeMrkdwn(plan.document.version)} on exactly the hosts listed, by instance id (batches of 50). ` +
          'Each host re-checks itself and refuses if it is no longer stale.',
      },
    },
    {
      type: 'actions',
      block_id: FLEET_PLAN_IDS.settingsBlock,
      elements: [
        select(FLEET_PLAN_IDS.wavePercent, 'Wave size', WAVE_PERCENT_CHOICES.map((percent) => [String(percent), `${percent} % per wave`]), String(DEFAULT_WAVE_PERCENT)),
        select(FLEET_PLAN_IDS.maxFailures, 'Stop after', MAX_FAILURES_CHOICES.map((count) => [String(count), count === 0 ? 'the first failure' : `${count + 1} failures (${count} tolerated)`]), String(DEFAULT_MAX_FAILURES)),
      ],
    },
  );
  const confirms = [button(FLEET_PLAN_IDS.confirm, `Restart containerd on ${restartIds.length} host${restartIds.length === 1 ? '' : 's'}`, plan.planId, 'danger')];
  if (dockerIds.length > 0) {
    confirms.push(button(FLEET_PLAN_IDS.confirmWithDocker, `…and ${dockerIds.length} host(s) where Docker restarts — stops ${dockerContainers} container(s)`, plan.planId));
  }
  blocks.push(...planCardFooter(plan, confirms));
  return fitMessage({ text: `Restart containerd on ${restartIds.length} of ${summary.total} host(s) in ${summary.target}? Confirm or cancel.`, blocks });
}

function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN_IDS).map((id) => `\`${escapeMrkdwn(id)}\``).join(', ');
  return ids.length > SHOWN_IDS ? `${shown} and ${ids.length - SHOWN_IDS} more` : shown;
}

function select(actionId: string, placeholder: string, choices: [string, string][], initial: string): StaticSelect {
  const options: PlainTextOption[] = choices.map(([value, text]) => ({ value, text: { type: 'plain_text', text } }));
  const initialOption = options.find((option) => option.value === initial);
  return { type: 'static_select', action_id: actionId, placeholder: { type: 'plain_text', text: placeholder }, options, ...(initialOption ? { initial_option: initialOption } : {}) };
}
