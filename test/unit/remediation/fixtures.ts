import type { ScriptResult } from '../../../lambda/core/remediation/result-line';
import { RESULT_LINE_PREFIX } from '../../../lambda/core/remediation/result-line';

/** A check that found a containerd 1.7 daemon still running after the 2.0 package upgrade. */
export const STALE_DAEMON_CHECK: ScriptResult = {
  schema: 1,
  action: 'check',
  status: 'needs-restart',
  message: 'containerd 1.7.23 is running but 2.0.0 is installed',
  containerd: {
    installed: '2.0.0',
    installedPath: '/usr/bin/containerd',
    running: '1.7.23',
    binaries: ['/usr/bin/containerd'],
    shims: ['/usr/bin/containerd-shim-runc-v2'],
    shimVersion: '2.0.0',
    shimProtocolMismatch: true,
    socket: true,
  },
  docker: { active: true, liveRestore: false },
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
  docker: { active: true, restarted: true, liveRestore: false },
};

export function stdoutWith(result: ScriptResult): string {
  return `checking containerd\n${RESULT_LINE_PREFIX}${JSON.stringify(result)}\n`;
}
