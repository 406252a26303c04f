import type { LogLevel } from '../text/normalise';

/**
 * Lines that look like evidence but are logged on healthy hosts too. They carry no weight: a channel answer
 * built on them would be wrong (issue 11's look-alikes). Every pattern is checked by recheck.
 */
const ROUTINE_LINES: readonly RegExp[] = [
  // containerd logs these at info level on every container exit, with or without the level field pasted.
  /^(?:cleaning up after shim disconnected|cleaning up dead shim)\b/i,
  /^"?shim disconnected"?(?: id=[\w.:-]{1,200})?(?: namespace=[\w.-]{1,200})?$/i,
  // kubelet's Normal event whenever a sandbox is recreated, whatever the reason.
  /Pod sandbox changed, it will be killed and re-created/i,
  // crictl prints these whenever /etc/crictl.yaml is missing, even when it then connects.
  /\b(?:runtime|image) connect using default endpoints\b/i,
  /As the default settings are now deprecated, you should set the endpoint instead/i,
  // kubeadm's preflight headline without the error that follows it says nothing about the cause.
  /^(?:\[ERROR CRI\]:? ?)?container runtime is not running:?(?: output:)?$/i,
];

/** Debug and info lines are not errors: a routine message is no evidence, whatever it says. */
const QUIET_LEVELS: ReadonlySet<LogLevel> = new Set(['debug', 'info']);

export function isRoutineLine(line: string, level: LogLevel | null): boolean {
  if (level !== null && QUIET_LEVELS.has(level)) return true;
  return ROUTINE_LINES.some((pattern) => pattern.test(line));
}

export const ROUTINE_LINE_PATTERNS: readonly RegExp[] = ROUTINE_LINES;
