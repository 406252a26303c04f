import * as z from 'zod';

/**
 * The machine-readable result of our SSM scripts (`infra/ssm/check-container-runtime.sh`,
 * `infra/ssm/restart-container-runtime.sh`): the last line of their stdout is `SHIM_FIX_RESULT ` followed by one compact
 * JSON object. The contract (schema 2) is documented field by field in `docs/ssm-result-line.md`; this module is its
 * only reader.
 */

/** Fixed prefix of the result line, including the single space before the JSON. */
export const RESULT_LINE_PREFIX = 'SHIM_FIX_RESULT ';

/** Bumped only for incompatible changes; new optional fields keep the schema (unknown keys are ignored). */
export const RESULT_SCHEMA_VERSION = 2;

export const SCRIPT_ACTIONS = ['check', 'restart'] as const;
export type ScriptAction = (typeof SCRIPT_ACTIONS)[number];

/**
 * What the probes found on the host. Both scripts compute it; the restart computes it before touching anything, and
 * restarts only on `stale-daemon`.
 */
export const VERDICTS = [
  'stale-daemon',
  'healthy',
  'downgrade',
  'shim-newer-than-daemon',
  'config-rejected',
  'managed-elsewhere',
  'no-systemd',
  'unsafe-kill-mode',
  'duplicate-binaries',
  'not-installed',
  'not-running',
  'unknown',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What the script did: a check always `checked`; a restart `restarted`, `refused` or `failed`. */
export const SCRIPT_STATUSES = ['checked', 'restarted', 'refused', 'failed'] as const;
export type ScriptStatus = (typeof SCRIPT_STATUSES)[number];

/** Why a restart touched nothing: every verdict but the one it acts on, or a Docker restart that would stop containers. */
export const REFUSALS = [
  ...VERDICTS.filter((verdict): verdict is Exclude<Verdict, 'stale-daemon'> => verdict !== 'stale-daemon'),
  'docker-would-stop-containers',
] as const;
export type Refusal = (typeof REFUSALS)[number];

export const MANAGERS = ['systemd', 'k3s', 'rke2', 'snap', 'dockerd', 'none', 'unknown'] as const;
export type Manager = (typeof MANAGERS)[number];

export const KILL_MODES = ['process', 'control-group', 'mixed', 'none'] as const;

// Bounds keep a damaged or hostile line from carrying megabytes into Slack messages and audit records.
const version = z.string().min(1).max(100);
const filePath = z.string().min(1).max(4096);
const hostText = z.string().max(300);
const binary = z.object({ path: filePath, version: version.nullable() });
const binaries = z.array(binary).max(16);

export const containerdFactsSchema = z.object({
  /** Version of the binary at the unit's ExecStart path (never read from a process list). */
  installed: version.nullable(),
  /** That path. */
  installedPath: filePath.nullable(),
  /** Server version from `ctr version`; null when the socket does not answer. */
  running: version.nullable(),
  /** Restart only: the running version before the restart (null in a check). */
  runningBefore: version.nullable().optional(),
  /** The unit's MainPID. */
  mainPid: z.number().int().positive().nullable(),
  /** readlink of `/proc/<MainPID>/exe`, e.g. `/usr/bin/containerd (deleted)`: read, never executed. */
  runningExe: filePath.nullable(),
  /** The running binary is `(deleted)` or not the same file as the installed path. */
  binaryReplaced: z.boolean().nullable(),
  unit: z.string().min(1).max(256).nullable(),
  killMode: z.enum(KILL_MODES).nullable(),
  needsDaemonReload: z.boolean().nullable(),
  configPath: filePath.nullable(),
  /** Whether the installed binary accepts the unit's config; null when it could not be validated. */
  configAccepted: z.boolean().nullable(),
  /** First line(s) of the rejection. */
  configError: hostText.nullable(),
  manager: z.enum(MANAGERS),
  /** The unit to restart instead, when containerd is managed elsewhere (e.g. `k3s.service`). */
  managerUnit: z.string().min(1).max(256).nullable(),
  /** Distinct `containerd` executables on PATH, in PATH order (aliases of one file count once). */
  binaries,
  /** Distinct `containerd-shim-runc-v2` executables on PATH, in PATH order. */
  shims: binaries,
  /** Version of the first shim on PATH. */
  shimVersion: version.nullable(),
  /** True when a 2.x shim (protocol v3) meets a 1.x daemon (accepts v2 only); null when a version is unknown. */
  shimProtocolMismatch: z.boolean().nullable(),
  /** Whether the socket answers `ctr version`. */
  socket: z.boolean(),
  /** Whether the CRI plugin loaded (`ctr plugins ls`); null when no CRI plugin is listed or it is unknown. */
  criLoaded: z.boolean().nullable(),
});

export const dockerFactsSchema = z.object({
  installed: z.boolean(),
  /** Whether docker.service was active when the script started (restart: before anything was restarted). */
  active: z.boolean(),
  liveRestore: z.boolean().nullable(),
  runningContainers: z.number().int().nonnegative().nullable(),
  /** dockerd's running binary is `(deleted)` or not the installed dockerd: dockerd itself is stale. */
  binaryReplaced: z.boolean().nullable(),
  /** docker.service `BindsTo=` contains containerd.service (a containerd restart stops Docker too). */
  bindsToContainerd: z.boolean().nullable(),
  /** docker.service `Requires=` contains containerd.service. */
  requiresContainerd: z.boolean().nullable(),
  /** Restart only: whether the script restarted Docker (false in a check). */
  restarted: z.boolean(),
  /** Restart only: whether Docker answers after containerd is back; null in a check or when Docker is not active. */
  recovered: z.boolean().nullable(),
});

export const scriptResultSchema = z.object({
  schema: z.literal(RESULT_SCHEMA_VERSION),
  action: z.enum(SCRIPT_ACTIONS),
  verdict: z.enum(VERDICTS),
  status: z.enum(SCRIPT_STATUSES),
  refusal: z.enum(REFUSALS).nullable(),
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

export type BinaryFact = z.infer<typeof binary>;
export type ContainerdFacts = z.infer<typeof containerdFactsSchema>;
export type DockerFacts = z.infer<typeof dockerFactsSchema>;
export type ScriptResult = z.infer<typeof scriptResultSchema>;

/**
 * Finds the last `SHIM_FIX_RESULT ` line in the stdout of one SSM invocation and validates it.
 *
 * The last result line decides: when it is damaged (SSM truncates stdout, keeping its beginning) the answer is
 * `undefined`, never an older line. Other output before or after the line (logs, stderr appended by SSM) is ignored.
 * A schema 1 line (an old document still deployed) is `undefined` too: its statuses mean something else. Never throws.
 *
 * @example
 * parseResultLine('restarting…\nSHIM_FIX_RESULT {"schema":2,"action":"restart",…}\n')?.status // 'restarted'
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

/** Whether a check found the situation that a restart of containerd fixes (only then is a restart offered). */
export function isRestartTheFix(result: ScriptResult): boolean {
  return result.action === 'check' && result.status === 'checked' && result.verdict === 'stale-daemon';
}

/**
 * Whether the host is in the state we want: a check (or a refused restart) found it healthy, or a restart ended
 * verified. Every other outcome is a finding worth a warning, even when the SSM command itself succeeded.
 */
export function isHealthy(result: ScriptResult): boolean {
  if (result.status === 'restarted') return true;
  return result.status !== 'failed' && result.verdict === 'healthy';
}

/**
 * The one-sentence summary of a result, built from the structured fields so that it reads the same for every host.
 * Falls back to the script's own `message` when the fields cannot tell more (and always for `failed`, where the
 * message carries the specific reason). Host-reported strings are not escaped here: the renderer does that.
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
  if (result.status === 'failed') return result.message;
  if (result.status === 'restarted') return restartedSentence(result);
  const finding = verdictSentence(result);
  if (result.status !== 'refused') return finding;
  if (result.refusal === 'docker-would-stop-containers') return dockerRefusalSentence(result);
  return `restart refused, nothing was touched: ${finding}`;
}

function verdictSentence(result: ScriptResult): string {
  const { installed, running, shimVersion, manager, managerUnit, killMode, unit } = result.containerd;
  switch (result.verdict) {
    case 'stale-daemon':
      if (installed === null) return result.message;
      if (running === null || running === installed) {
        return `containerd ${installed} is installed, but the running daemon's binary was replaced on disk since it started: it was not restarted after the upgrade`;
      }
      return `running ${running}, installed ${installed}: the daemon was not restarted after the upgrade`;
    case 'healthy':
      return running === null ? result.message : `containerd ${running} is running and matches the installed version`;
    case 'downgrade':
      if (installed === null || running === null) return result.message;
      return `running ${running}, installed ${installed}: the installed containerd is older, and a restart into it cannot talk to the running shims`;
    case 'shim-newer-than-daemon':
      if (installed === null || shimVersion === null) return result.message;
      return `containerd ${installed} is installed, but the shim on PATH is ${shimVersion}: 2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this`;
    case 'config-rejected': {
      const error = result.containerd.configError ? ` (${result.containerd.configError})` : '';
      return `the installed containerd rejects its config ${result.containerd.configPath ?? ''}${error}: a restart would leave the host without a container runtime`.replace(/ {2,}/g, ' ');
    }
    case 'managed-elsewhere':
      return `containerd is run by ${manager}${managerUnit ? `: restart ${managerUnit} instead` : ''}`;
    case 'unsafe-kill-mode':
      return `the ${unit ?? 'containerd'} unit has KillMode=${killMode ?? 'unknown'}: a restart would kill every shim and its containers`;
    case 'duplicate-binaries': {
      const duplicates = duplicatesClause(result.containerd);
      if (duplicates === undefined) return result.message;
      const subject = running ?? installed;
      return `${subject === null ? 'containerd' : `containerd ${subject}`} is running, but there are ${duplicates}: the daemon may start a different one than the package installed`;
    }
    case 'not-installed':
      return running === null
        ? 'containerd is not installed: no containerd unit or binary found'
        : `containerd is not installed where its unit points, yet containerd ${running} is running`;
    case 'not-running':
      return installed === null
        ? result.message
        : `containerd ${installed} is installed but not running: its socket does not answer`;
    case 'no-systemd':
    case 'unknown':
      return result.message;
  }
}

function restartedSentence(result: ScriptResult): string {
  const { running, runningBefore } = result.containerd;
  if (running === null) return result.message;
  const was = runningBefore && runningBefore !== running ? ` (was ${runningBefore})` : '';
  const docker = result.docker.restarted
    ? 'Docker restarted'
    : result.docker.active
      ? 'Docker was left running'
      : 'Docker was not active, so it was left alone';
  return `containerd restarted: running ${running}${was}, matching the installed version; ${docker}`;
}

function dockerRefusalSentence(result: ScriptResult): string {
  const count = result.docker.runningContainers;
  const containers = count === null ? 'its containers' : `${count} container${count === 1 ? '' : 's'}`;
  return `restart refused, nothing was touched: restarting Docker without live-restore would stop ${containers}; only an explicit choice to stop them allows it`;
}

function duplicatesClause(facts: ContainerdFacts): string | undefined {
  const parts: string[] = [];
  const list = (items: BinaryFact[]): string => items.map((item) => `${item.path} ${item.version ?? '?'}`).join(', ');
  if (facts.binaries.length > 1) parts.push(`${facts.binaries.length} containerd binaries on PATH (${list(facts.binaries)})`);
  if (facts.shims.length > 1) parts.push(`${facts.shims.length} containerd-shim-runc-v2 binaries on PATH (${list(facts.shims)})`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/**
 * Orders versions such as `1.7.23`, `2.0.0`, `1.7.12-0ubuntu4`, `v2.0.0` by major.minor.patch (a leading `v` and
 * suffixes ignored). Negative when `a` is older than `b`.
 */
export function compareVersions(a: string, b: string): number {
  const numbers = (value: string): number[] =>
    (value.replace(/^v/, '').match(/^\d+(?:\.\d+)*/)?.[0] ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const left = numbers(a);
  const right = numbers(b);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
