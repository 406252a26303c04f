import type { AllowTag } from '../../config';
import { hostText } from './host-text';
import type { Target } from './targets';
import type { FleetFacts, InstanceFacts, ManagedInstance } from './types';

/**
 * Why an instance or fleet may not be acted on. Each has its own message: a refusal must say what is needed.
 */
export type PreflightProblem =
  | 'unknown-instance'
  | 'offline'
  | 'not-linux'
  | 'not-tagged'
  | 'empty-fleet'
  | 'fleet-not-ready'
  | 'fleet-too-large';

export type PreflightVerdict =
  | { ok: true; instanceIds: string[]; summary: string }
  | { ok: false; problem: PreflightProblem; message: string };

/**
 * The most instances one fleet request acts on (issue 13). The check goes out in SendCommand batches of 50 ids and the
 * restart in waves, each instance locked on its own, so the cap is about the plan: 21 DescribeInstanceInformation
 * pages, one card, one audit record that still fits a DynamoDB item.
 */
export const MAX_FLEET_INSTANCES = 1000;

const ONLINE = 'Online';
const LINUX = 'Linux';

/**
 * Decides whether one instance may be checked or restarted: SSM-managed, Online, Linux, carrying the allow tag.
 *
 * @example
 * preflightInstance({ instanceId: 'i-0123456789abcdef0', hasAllowTag: false, instance: online }, allowTag)
 * // { ok: false, problem: 'not-tagged', message: '... needs the tag `shim-fix=enabled` ...' }
 */
export function preflightInstance(facts: InstanceFacts, allowTag: AllowTag): PreflightVerdict {
  const id = `\`${facts.instanceId}\``;
  const { instance } = facts;
  if (!instance) {
    return {
      ok: false,
      problem: 'unknown-instance',
      message:
        `SSM does not manage ${id} in this account and region. Check the id, and that the SSM agent runs there ` +
        'with an instance profile that allows Systems Manager.',
    };
  }
  if (instance.pingStatus !== ONLINE) {
    return {
      ok: false,
      problem: 'offline',
      message:
        `${id} is not reachable through SSM (agent status: ${instance.pingStatus}). Start the instance or the ` +
        '`amazon-ssm-agent` service, then try again.',
    };
  }
  if (instance.platformType !== LINUX) {
    return {
      ok: false,
      problem: 'not-linux',
      message: `${id} runs ${instance.platformType ?? 'an unknown platform'}; shim-fix only runs on Linux hosts.`,
    };
  }
  if (!facts.hasAllowTag) {
    return {
      ok: false,
      problem: 'not-tagged',
      message:
        `${id} does not carry the tag \`${formatTag(allowTag)}\`, so shim-fix may not touch it. ` +
        `Ask its owner to add the tag (\`aws ec2 create-tags --resources ${facts.instanceId} --tags Key=${allowTag.key},Value=${allowTag.value}\`), then try again.`,
    };
  }
  return { ok: true, instanceIds: [instance.instanceId], summary: describeInstance(instance) };
}

/**
 * Decides whether a fleet may be acted on: at least one instance carries both tags, no more than the cap, and every
 * one of them is Online and Linux (an unreachable member would fail delivery and, with an error budget of 0, stop the
 * rollout half way, which is harder to reason about than refusing up front).
 */
export function preflightFleet(facts: FleetFacts, allowTag: AllowTag): PreflightVerdict {
  const fleet = `\`tag:${formatTag(facts.tag)}\``;
  const allow = `\`${formatTag(allowTag)}\``;
  if (facts.truncated || facts.eligible.length > MAX_FLEET_INSTANCES) {
    return {
      ok: false,
      problem: 'fleet-too-large',
      message: `${fleet} matches more than ${MAX_FLEET_INSTANCES} instances with ${allow}. Narrow it with a more specific tag.`,
    };
  }
  if (facts.eligible.length === 0) {
    const tagged =
      facts.withRequestedTag && facts.withRequestedTag > 0
        ? ` ${facts.withRequestedTag} managed instance(s) carry ${fleet}, but none also carries ${allow}.`
        : '';
    return {
      ok: false,
      problem: 'empty-fleet',
      message: `No SSM-managed instance carries both ${fleet} and ${allow}.${tagged} Tag the instances you want shim-fix to act on with ${allow}.`,
    };
  }
  const notReady = facts.eligible.filter((instance) => instance.pingStatus !== ONLINE || instance.platformType !== LINUX);
  if (notReady.length > 0) {
    const listed = notReady
      .slice(0, 5)
      .map((instance) => `\`${instance.instanceId}\` (${instance.pingStatus !== ONLINE ? instance.pingStatus : (instance.platformType ?? 'unknown platform')})`)
      .join(', ');
    const more = notReady.length > 5 ? ` and ${notReady.length - 5} more` : '';
    return {
      ok: false,
      problem: 'fleet-not-ready',
      message:
        `${notReady.length} of ${facts.eligible.length} instances in ${fleet} are not online Linux hosts: ${listed}${more}. ` +
        'Bring them back or remove the allow tag from them, or restart the others one by one.',
    };
  }
  const ids = facts.eligible.map((instance) => instance.instanceId).sort();
  const untagged =
    facts.withRequestedTag !== undefined && facts.withRequestedTag > ids.length
      ? ` (${facts.withRequestedTag - ids.length} more carry ${fleet} without ${allow} and are left alone)`
      : '';
  return { ok: true, instanceIds: ids, summary: `${ids.length} online Linux instance(s) carry ${fleet} and ${allow}${untagged}` };
}

/** A fleet as the fleet check takes it: the online Linux members are checked, the others are counted unreachable. */
export type FleetSelection =
  | { ok: true; instanceIds: string[]; notReady: { instanceId: string; reason: string }[]; summary: string }
  | { ok: false; problem: 'empty-fleet' | 'fleet-too-large'; message: string };

/**
 * Like {@link preflightFleet}, for the check-first fleet flow: above the cap and an empty fleet are still refused, but a
 * member that is offline or not Linux does not refuse the whole fleet (at 1,000 hosts one always is): it is left out of
 * the check and reported unreachable, so it can never be restarted.
 */
export function selectFleet(facts: FleetFacts, allowTag: AllowTag): FleetSelection {
  const verdict = preflightFleet(facts, allowTag);
  if (!verdict.ok && (verdict.problem === 'empty-fleet' || verdict.problem === 'fleet-too-large')) return { ok: false, problem: verdict.problem, message: verdict.message };
  const ready = facts.eligible.filter((instance) => instance.pingStatus === ONLINE && instance.platformType === LINUX);
  const notReady = facts.eligible
    .filter((instance) => !ready.includes(instance))
    .map((instance) => ({ instanceId: instance.instanceId, reason: instance.pingStatus !== ONLINE ? `SSM agent ${hostText(instance.pingStatus, 40)}` : `not Linux (${hostText(instance.platformType ?? 'unknown platform', 40)})` }));
  const ids = ready.map((instance) => instance.instanceId).sort();
  const left = notReady.length > 0 ? `; ${notReady.length} more are not online Linux hosts and are left out` : '';
  return { ok: true, instanceIds: ids, notReady, summary: `${ids.length} online Linux instance(s) carry \`tag:${formatTag(facts.tag)}\` and \`${formatTag(allowTag)}\`${left}` };
}

export function formatTag(tag: { key: string; value: string }): string {
  return `${tag.key}=${tag.value}`;
}

/**
 * A fleet tag on the allow-tag key (`tag:shim-fix=anything`) is refused: the allow tag is the enrolment switch, not a
 * way to pick hosts, and a second value for its key would make the two SendCommand targets disagree about what
 * "enrolled" means. Compared case-insensitively, as IAM compares condition keys.
 */
export function refuseAllowTagFleet(target: Target, allowTag: AllowTag): string | undefined {
  if (target.kind !== 'fleet' || target.tag.key.toLowerCase() !== allowTag.key.toLowerCase()) return undefined;
  return (
    `\`tag:${allowTag.key}=…\` is the allow tag that enrols hosts; it cannot also pick a fleet. ` +
    'Name the fleet by another tag, for example `tag:team=payments`: only its members that also carry ' +
    `\`${formatTag(allowTag)}\` are acted on.`
  );
}

function describeInstance(instance: ManagedInstance): string {
  // Host-reported: one short inert line each (the card is where the operator decides on a root restart).
  const name = instance.computerName ? ` (${hostText(instance.computerName)})` : '';
  const os = [instance.platformName, instance.platformVersion].filter(Boolean).map((part) => hostText(part ?? '')).join(' ');
  return `\`${instance.instanceId}\`${name}${os ? `, ${os}` : ''}, SSM agent online`;
}
