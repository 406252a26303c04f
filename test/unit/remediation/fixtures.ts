import type { ScriptResult } from '../../../lambda/core/remediation/result-line';
import { RESULT_LINE_PREFIX } from '../../../lambda/core/remediation/result-line';

/** A check that found a containerd 1.7 daemon still running after the 2.0 package upgrade. */
export const STALE_DAEMON_CHECK: ScriptResult = {
  schema: 2,
  action: 'check',
  verdict: 'stale-daemon',
  status: 'checked',
  refusal: null,
  message: 'containerd 1.7.23 is running but 2.0.0 is installed',
  containerd: {
    installed: '2.0.0',
    installedPath: '/usr/bin/containerd',
    running: '1.7.23',
    runningBefore: null,
    mainPid: 812,
    runningExe: '/usr/bin/containerd (deleted)',
    binaryReplaced: true,
    unit: 'containerd.service',
    killMode: 'process',
    needsDaemonReload: false,
    configPath: '/etc/containerd/config.toml',
    configAccepted: true,
    configError: null,
    manager: 'systemd',
    managerUnit: null,
    binaries: [{ path: '/usr/bin/containerd', version: '2.0.0' }],
    shims: [{ path: '/usr/bin/containerd-shim-runc-v2', version: '2.0.0' }],
    shimVersion: '2.0.0',
    shimProtocolMismatch: true,
    socket: true,
    criLoaded: null,
  },
  docker: {
    installed: true,
    active: true,
    liveRestore: false,
    runningContainers: 2,
    binaryReplaced: false,
    bindsToContainerd: false,
    requiresContainerd: false,
    restarted: false,
    recovered: null,
  },
  nested: false,
  nestedHints: [],
  durationSeconds: 2,
};

export const RESTARTED: ScriptResult = {
  ...STALE_DAEMON_CHECK,
  action: 'restart',
  status: 'restarted',
  message: 'containerd restarted',
  containerd: { ...STALE_DAEMON_CHECK.containerd, running: '2.0.0', runningBefore: '1.7.23', shimProtocolMismatch: false },
  docker: { ...STALE_DAEMON_CHECK.docker, restarted: true, recovered: true },
};

export function stdoutWith(result: ScriptResult): string {
  return `checking containerd\n${RESULT_LINE_PREFIX}${JSON.stringify(result)}\n`;
}
