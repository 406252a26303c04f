import { RESTART_STEPS } from '../core/remediation/plan';
import { parseResultLine, type ScriptResult } from '../core/remediation/result-line';
import { containersAtRisk } from './evidence';

/**
 * The remediation actions, each declared once: which document it sends, what it restarts, its warnings, whether it
 * locks its instances, the document parameters, its result parser, and which check results offer it. The Slack layer
 * renders buttons from this; the service sends from it. Adding "restart kubelet" is one entry here plus its script.
 */
export const ACTION_IDS = ['check', 'restart', 'restart-with-docker'] as const;
export type ActionId = (typeof ACTION_IDS)[number];

export interface ActionSpec {
  id: ActionId;
  /** Which of the stack's two documents it sends. */
  document: 'check' | 'restart';
  /** Button label. */
  label: (result?: ScriptResult) => string;
  /** What it restarts, in order (empty: read-only). */
  restarts: readonly string[];
  warnings: (result?: ScriptResult) => string[];
  /** Holds the per-instance lock while in flight (anything that restarts). */
  locks: boolean;
  /** SendCommand `Parameters`: the restart document's only parameter, AllowStoppingContainers. */
  parameters: Readonly<Record<string, string[]>>;
  parseResult: (stdout: string) => ScriptResult | undefined;
  /** Whether a check that measured `result` offers this action on the plan card. */
  offeredFor: (result: ScriptResult) => boolean;
}

const staleDaemon = (result: ScriptResult) => result.action === 'check' && result.status === 'checked' && result.verdict === 'stale-daemon';


export const ACTIONS: Readonly<Record<ActionId, ActionSpec>> = {
  check: {
    id: 'check',
    document: 'check',
    label: () => 'Run check',
    restarts: [],
    warnings: () => [],
    locks: false,
    parameters: {},
    parseResult: parseResultLine,
    offeredFor: () => false,
  },
  restart: {
    id: 'restart',
    document: 'restart',
    label: () => 'Restart containerd',
    restarts: RESTART_STEPS,
    warnings: () => [],
    locks: true,
    parameters: { AllowStoppingContainers: ['no'] },
    parseResult: parseResultLine,
    // With containers at risk the script would refuse a plain restart: only the explicit Docker choice is offered.
    offeredFor: (result) => staleDaemon(result) && containersAtRisk(result) === undefined,
  },
  'restart-with-docker': {
    id: 'restart-with-docker',
    document: 'restart',
    label: (result) => `Restart containerd and Docker — stops ${result ? (containersAtRisk(result) ?? 0) : 'its'} containers`,
    restarts: [...RESTART_STEPS.slice(0, 2), 'Docker: `systemctl restart docker` when needed, which stops its running containers (live-restore is off)'],
    warnings: (result) => [
      `Docker has live-restore off and ${result ? (containersAtRisk(result) ?? 0) : 'some'} running container(s); ` +
        (result?.docker.binaryReplaced ? 'dockerd itself was replaced on disk and must be restarted' : 'docker.service is bound to containerd (BindsTo=/Requires=), so a containerd restart stops Docker too') +
        '. Those containers stop. Enable `live-restore` in /etc/docker/daemon.json to avoid this next time.',
    ],
    locks: true,
    parameters: { AllowStoppingContainers: ['yes'] },
    parseResult: parseResultLine,
    offeredFor: (result) => staleDaemon(result) && containersAtRisk(result) !== undefined,
  },
};

/** The actions a check result offers, in registry order. */
export function offeredActions(result: ScriptResult): ActionId[] {
  return ACTION_IDS.filter((id) => ACTIONS[id].offeredFor(result));
}

export function isActionId(value: unknown): value is ActionId {
  return typeof value === 'string' && (ACTION_IDS as readonly string[]).includes(value);
}
