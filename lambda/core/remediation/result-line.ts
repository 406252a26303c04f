import * as z from 'zod';

/**
 * The machine-readable result of our SSM scripts (`infra/ssm/check-container-runtime.sh`,
 * `infra/ssm/restart-container-runtime.sh`): the last line of their stdout is `SHIM_FIX_RESULT ` followed by one compact
 * JSON object. The contract is documented field by field in `docs/ssm-result-line.md`; this module is its only reader.
 */

/** Fixed prefix of the result line, including the single space before the JSON. */
export const RESULT_LINE_PREFIX = 'SHIM_FIX_RESULT ';

/** Bumped only for incompatible changes; new optional fields keep schema 1 (unknown keys are ignored). */
export const RESULT_SCHEMA_VERSION = 1;

export const SCRIPT_ACTIONS = ['check', 'restart'] as const;
export type ScriptAction = (typeof SCRIPT_ACTIONS)[number];

/** Check verdicts, restart outcomes, and `failed` (either script could not do its job). */
export const SCRIPT_STATUSES = [
  'ok',
  'needs-restart',
  'shim-mismatch',
  'duplicate-binaries',
  'not-installed',
  'not-running',
  'restarted',
  'failed',
] as const;
export type ScriptStatus = (typeof SCRIPT_STATUSES)[number];

// Bounds keep a damaged or hostile line from carrying megabytes into Slack messages and audit records.
const version = z.string().min(1).max(100);
const filePath = z.string().min(1).max(4096);
const paths = z.array(filePath).max(64);

export const containerdFactsSchema = z.object({
  /** Version of the binary the containerd unit starts (else the first on PATH); null when none reports one. */
  installed: version.nullable(),
  /** Path of that binary. */
  installedPath: filePath.nullable(),
  /** Version of the running daemon (`ctr version` server, else `/proc/<pid>/exe --version`); null when not running. */
  running: version.nullable(),
  /** Restart only: the running version before the restart. */
  runningBefore: version.nullable().optional(),
  /** Distinct `containerd` executables on PATH, in PATH order (aliases of one file count once). */
  binaries: paths,
  /** Distinct `containerd-shim-runc-v2` executables on PATH, in PATH order. */
  shims: paths,
  /** Version reported by the first shim (`-v`); null when unknown. */
  shimVersion: version.nullable(),
  /** True when a 2.x shim (protocol v3) meets a 1.x daemon (accepts v2 only); null when a version is unknown. */
  shimProtocolMismatch: z.boolean().nullable(),
  /** Whether the containerd socket exists. */
  socket: z.boolean(),
});

export const dockerFactsSchema = z.object({
  /** Whether the docker unit was active when the script started (restart: before anything was restarted). */
  active: z.boolean(),
  /** Restart only: whether the script restarted Docker. */
  restarted: z.boolean().optional(),
  /** Docker live-restore; null when Docker is not installed. */
  liveRestore: z.boolean().nullable(),
});

export const scriptResultSchema = z.object({
  schema: z.literal(RESULT_SCHEMA_VERSION),
  action: z.enum(SCRIPT_ACTIONS),
  status: z.enum(SCRIPT_STATUSES),
  /** One human sentence written by the script; the specific reason when status is `failed`. */
  message: z.string().min(1).max(2000),
  containerd: containerdFactsSchema,
  docker: dockerFactsSchema,
  /** Whether any nested-container hint was found. */
  nested: z.boolean(),
  /** The hints themselves, e.g. `/.dockerenv exists`. */
  nestedHints: z.array(z.string().min(1).max(300)).max(16),
  durationSeconds: z.number().int().nonnegative(),
});

export type ContainerdFacts = z.infer<typeof containerdFactsSchema>;
export type DockerFacts = z.infer<typeof dockerFactsSchema>;
export type ScriptResult = z.infer<typeof scriptResultSchema>;

/**
 * Finds the last `SHIM_FIX_RESULT ` line in the stdout of one SSM invocation and validates it.
 *
 * The last result line decides: when it is damaged (SSM truncates stdout, keeping its beginning) the answer is
 * `undefined`, never an older line. Other output before or after the line (logs, stderr appended by SSM) is ignored.
 * Never throws.
 *
 * @example
 * parseResultLine('restarting…\nSHIM_FIX_RESULT {"schema":1,"action":"restart",…}\n')?.status // 'restarted'
 */
export function parseResultLine(stdout: string): ScriptResult | undefined {
  if (typeof stdout !== 'string') return undefined;
  const lines = stdout.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    // Tolerates indentation and the \r of CRLF output; the prefix itself must be exact.
    const line = (lines[index] ?? '').trimStart();
    if (line.startsWith(RESULT_LINE_PREFIX)) {
      return parseResultJson(line.slice(RESULT_LINE_PREFIX.length).trim());
    }
  }
  return undefined;
}

function parseResultJson(json: string): ScriptResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = scriptResultSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Whether a check found the situation that a restart of the runtime fixes (Slack then offers a Restart button). */
export function isRestartTheFix(result: ScriptResult): boolean {
  return result.action === 'check' && result.status === 'needs-restart';
}

/**
 * Whether the host is in the state we want: a check found nothing, or a restart ended with the installed daemon and a
 * shim it can start. Every other status is a finding worth a warning, even when the SSM command itself succeeded.
 */
export function isHealthy(result: ScriptResult): boolean {
  if (result.status === 'ok') return true;
  return result.status === 'restarted' && result.containerd.shimProtocolMismatch !== true;
}

/**
 * The one-sentence summary shown in Slack, built from the structured fields so that it reads the same for every host.
 * Falls back to the script's own `message` when the fields cannot tell more (and always for `failed`, where the
 * message carries the specific reason).
 *
 * @example
 * describeResult(staleDaemonCheck) // 'running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade'
 */
export function describeResult(result: ScriptResult): string {
  const sentence = mainSentence(result);
  if (result.action === 'check' && result.nested && result.status !== 'failed') {
    const hints = result.nestedHints.length > 0 ? ` (${result.nestedHints.join(', ')})` : '';
    return `${sentence}; this looks like a nested container${hints}`;
  }
  return sentence;
}

function mainSentence(result: ScriptResult): string {
  const { installed, running, runningBefore } = result.containerd;
  switch (result.status) {
    case 'needs-restart':
      if (installed === null || running === null) return result.message;
      return `running ${running}, installed ${installed}: the daemon was not restarted after the ${
        compareVersions(installed, running) < 0 ? 'downgrade' : 'upgrade'
      }`;
    case 'shim-mismatch': {
      const { shimVersion } = result.containerd;
      if (running === null || shimVersion === null) return result.message;
      return `containerd ${running} is running, but the shim on PATH is ${shimVersion}: 2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this`;
    }
    case 'ok':
      return running === null ? result.message : `containerd ${running} is running and matches the installed version`;
    case 'duplicate-binaries': {
      const duplicates = duplicatesClause(result.containerd);
      if (duplicates === undefined) return result.message;
      const version = running ?? installed;
      const subject = version === null ? 'containerd' : `containerd ${version}`;
      return `${subject} is running, but there are ${duplicates}: the daemon may start a different one than the package installed`;
    }
    case 'not-installed':
      return running === null
        ? 'containerd is not installed: no containerd binary on PATH'
        : `containerd is not installed on PATH, yet containerd ${running} is running`;
    case 'not-running':
      return installed === null
        ? result.message
        : `containerd ${installed} is installed but not running: its socket does not answer`;
    case 'restarted': {
      if (running === null) return result.message;
      const was = runningBefore && runningBefore !== running ? ` (was ${runningBefore})` : '';
      const docker = result.docker.restarted ? 'Docker restarted' : 'Docker was not active, so it was left alone';
      const shim =
        result.containerd.shimProtocolMismatch && result.containerd.shimVersion
          ? `; but the shim on PATH is ${result.containerd.shimVersion} (protocol v3), which this daemon cannot start`
          : '';
      return `containerd restarted: running ${running}${was}, matching the installed version; ${docker}${shim}`;
    }
    case 'failed':
      return result.message;
  }
}

function duplicatesClause(facts: ContainerdFacts): string | undefined {
  const parts: string[] = [];
  if (facts.binaries.length > 1) {
    parts.push(`${facts.binaries.length} containerd binaries on PATH (${facts.binaries.join(', ')})`);
  }
  if (facts.shims.length > 1) {
    parts.push(`${facts.shims.length} containerd-shim-runc-v2 binaries on PATH (${facts.shims.join(', ')})`);
  }
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/**
 * Orders versions such as `1.7.23`, `2.0.0`, `1.7.12-0ubuntu4` by major.minor.patch (suffixes ignored).
 * Negative when `a` is older than `b`.
 */
export function compareVersions(a: string, b: string): number {
  const numbers = (value: string): number[] =>
    (value.match(/^\d+(?:\.\d+)*/)?.[0] ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const left = numbers(a);
  const right = numbers(b);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
