import { hostText } from '../core/remediation/host-text';
import type { ScriptResult, Verdict } from '../core/remediation/result-line';

/**
 * What a check measured on one host, as the plan card shows it: the facts a restart decision rests on, one verdict
 * sentence, and the runbook that applies. Pure: the Slack layer renders it, the registry decides what it offers.
 */
export interface Evidence {
  verdict: Verdict;
  /** True only for `stale-daemon`: a containerd restart will fix this. */
  restartHelps: boolean;
  /** "A containerd restart will fix this: …" or "A restart will not help: …". */
  sentence: string;
  /** Runbook id (knowledge/) for the next step. */
  runbook: string;
  /** One short line per measured fact, host-reported text made inert. */
  facts: string[];
  /** Running Docker containers a Docker restart would stop (live-restore off), when restarting Docker is on the table. */
  containersAtRisk?: number;
}

const RUNBOOK: Record<Verdict, string> = {
  'stale-daemon': 'shim-version-mismatch',
  healthy: 'shim-version-mismatch',
  downgrade: 'containerd-unsupported-upgrade-path',
  'shim-newer-than-daemon': 'shim-version-mismatch',
  'config-rejected': 'config-v3-migration',
  'managed-elsewhere': 'stale-components-after-upgrade',
  'no-systemd': 'stale-components-after-upgrade',
  'unsafe-kill-mode': 'stale-components-after-upgrade',
  'duplicate-binaries': 'stale-components-after-upgrade',
  'not-installed': 'containerd-socket-down',
  'not-running': 'containerd-socket-down',
  unknown: 'stale-components-after-upgrade',
};

/**
 * Whether the restart would have to stop Docker containers: Docker is active with live-restore off and containers
 * running, and either dockerd itself is stale (it must be restarted) or docker.service is bound to containerd
 * (`BindsTo=`/`Requires=`: a containerd restart stops Docker too). The restart script refuses this unless the operator
 * chose "Restart containerd and Docker" (document parameter AllowStoppingContainers=yes).
 */
export function containersAtRisk(result: ScriptResult): number | undefined {
  const { docker } = result;
  if (!docker.active || docker.liveRestore === true || !docker.runningContainers) return undefined;
  const dockerMustRestart = docker.binaryReplaced === true || docker.bindsToContainerd === true || docker.requiresContainerd === true;
  return dockerMustRestart ? docker.runningContainers : undefined;
}

export function evidenceOf(result: ScriptResult): Evidence {
  const { containerd: c, docker: d } = result;
  const v = (text: string | null | undefined) => (text ? hostText(text, 40) : 'unknown');
  const yesNo = (flag: boolean | null | undefined, yes: string, no: string) => (flag === null || flag === undefined ? 'unknown' : flag ? yes : no);
  const facts = [
    `containerd running ${v(c.running)}, installed ${v(c.installed)}${c.installedPath ? ` at ${hostText(c.installedPath)}` : ''}`,
    `running binary ${yesNo(c.binaryReplaced, 'replaced on disk since it started', 'not replaced')}`,
    `shim on disk ${v(c.shimVersion)}${c.shimProtocolMismatch ? ' (protocol 3, the running daemon speaks 2)' : ''}`,
    `managed by ${c.manager}${c.managerUnit ? ` (${hostText(c.managerUnit)})` : c.unit ? ` (${hostText(c.unit)}, KillMode=${c.killMode ?? 'unknown'})` : ''}`,
    `config ${c.configAccepted === null ? 'could not be validated' : c.configAccepted ? 'accepted by the installed binary' : `rejected by the installed binary${c.configError ? `: ${hostText(c.configError, 120)}` : ''}`}`,
    d.installed
      ? `Docker ${d.active ? 'active' : 'inactive'}, live-restore ${yesNo(d.liveRestore, 'on', 'off')}, ${d.runningContainers ?? 'unknown'} running container(s)` +
        `${d.bindsToContainerd || d.requiresContainerd ? ', docker.service bound to containerd' : ''}${d.binaryReplaced ? ', dockerd replaced on disk' : ''}`
      : 'Docker not installed',
  ];
  const others = [...c.binaries.slice(1), ...c.shims.slice(1)];
  if (others.length > 0) facts.push(`also on PATH: ${others.slice(0, 4).map((binary) => `${hostText(binary.path)} ${v(binary.version)}`).join(', ')}`);
  if (result.nested) facts.push('runs inside a container (nested)');
  const restartHelps = result.action === 'check' && result.status === 'checked' && result.verdict === 'stale-daemon';
  const atRisk = restartHelps ? containersAtRisk(result) : undefined;
  return {
    verdict: result.verdict,
    restartHelps,
    sentence: restartHelps ? `A containerd restart will fix this: ${why(result)}.` : `A restart will not help: ${why(result)}.`,
    runbook: RUNBOOK[result.verdict],
    facts,
    ...(atRisk !== undefined ? { containersAtRisk: atRisk } : {}),
  };
}

function why(result: ScriptResult): string {
  const { containerd: c } = result;
  const running = c.running ? hostText(c.running, 40) : 'unknown';
  const installed = c.installed ? hostText(c.installed, 40) : 'unknown';
  if (result.status === 'failed') return `the check could not finish (${hostText(result.message, 200)})`;
  switch (result.verdict) {
    case 'stale-daemon':
      return c.binaryReplaced ? `the running daemon (${running}) is the binary that was replaced on disk by the upgrade to ${installed}` : `the running daemon (${running}) is older than the installed one (${installed})`;
    case 'healthy':
      return `containerd already runs the installed version (${installed}) and its binary was not replaced, so the error comes from somewhere else`;
    case 'downgrade':
      return `the installed containerd (${installed}) is older than the running one (${running}); restarting into it would strand the running shims`;
    case 'shim-newer-than-daemon':
      return `the shim on disk is 2.x but the installed containerd is ${installed}: a restart starts the same old daemon; install a matching containerd or shim`;
    case 'config-rejected':
      return `the installed containerd rejects the unit's config, so a restart would leave the host without a container runtime`;
    case 'managed-elsewhere':
      return `containerd is run by ${c.manager}${c.managerUnit ? `; restart ${hostText(c.managerUnit)} instead` : ''}`;
    case 'no-systemd':
      return 'systemctl does not work on this host, so shim-fix cannot restart the unit';
    case 'unsafe-kill-mode':
      return `containerd's unit has KillMode=${c.killMode ?? 'unknown'}, so a restart would kill every shim and container`;
    case 'duplicate-binaries':
      return 'several containerd or shim binaries with different versions are on PATH; remove the stray copy first';
    case 'not-installed':
      return 'containerd is not installed';
    case 'not-running':
      return 'containerd is not running; start it rather than restart it';
    case 'unknown':
      return `the probes could not decide (${hostText(result.message, 200)})`;
  }
}
