import { ConfigurationError } from './core/errors';

/**
 * The only place that reads process.env. Everything else receives a typed, validated object.
 * Names are a contract (docs/architecture.md "Configuration").
 */
export interface AllowTag {
  key: string;
  value: string;
}

export interface Config {
  /** Local runs only: in Lambda the secrets come from SSM parameters named below. */
  slackSigningSecret?: string;
  slackBotToken?: string;
  slackAppToken?: string;
  slackSigningSecretParam?: string;
  slackBotTokenParam?: string;
  /** Base URL of the Slack Web API, e.g. `http://127.0.0.1:4000/api/` in tests. */
  slackApiUrl?: string;
  /** Slack user ids allowed to check and restart. Empty means nobody. */
  operators: string[];
  /** @default shim-fix=enabled */
  allowTag: AllowTag;
  restartDocument: string;
  checkDocument: string;
  /**
   * SHA-256 (hex) of each document's content as this stack synthesised it, by document name
   * (SHIM_FIX_RESTART_DOCUMENT_SHA256, SHIM_FIX_CHECK_DOCUMENT_SHA256). Set: nothing is sent unless DescribeDocument's
   * `Hash` matches. Unset (local runs): not checked.
   */
  documentHashes: Record<string, string>;
  /**
   * Name of the remediation worker function (SHIM_FIX_WORKER_FUNCTION): the Slack handler hands check-first restarts
   * to it with an asynchronous invocation. Unset (local runs): the jobs run in this process.
   */
  workerFunction?: string;
  /** CloudWatch Logs group for Run Command output; unset means SSM's default `/aws/ssm/<document>` group. */
  commandLogGroup?: string;
  /** DynamoDB table; unset means an in-memory store (local runs only). */
  table?: string;
  /**
   * The scan schedule's expression (SHIM_FIX_SCAN_SCHEDULE, set by the stack when `scanSchedule` is): App Home says
   * whether a scheduled scan is set up. Unset: none is.
   */
  scanSchedule?: string;
  awsRegion?: string;
}

export const DEFAULT_ALLOW_TAG: AllowTag = { key: 'shim-fix', value: 'enabled' };
export const DEFAULT_RESTART_DOCUMENT = 'ShimFix-RestartContainerRuntime';
export const DEFAULT_CHECK_DOCUMENT = 'ShimFix-CheckContainerRuntime';

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Parses `key=value`; the key may not be empty, the value may not contain `=` surprises beyond the first. */
export function parseAllowTag(raw: string | undefined): AllowTag {
  if (raw === undefined || raw.trim() === '') return DEFAULT_ALLOW_TAG;
  const index = raw.indexOf('=');
  const key = index > 0 ? raw.slice(0, index).trim() : '';
  const value = index > 0 ? raw.slice(index + 1).trim() : '';
  if (!key || !value) {
    throw new ConfigurationError(`SHIM_FIX_ALLOW_TAG must look like key=value (for example shim-fix=enabled), got "${raw}"`);
  }
  return { key, value };
}

export function parseOperators(raw: string | undefined): string[] {
  if (!raw) return [];
  const ids = raw
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const bad = ids.filter((id) => !/^[UW][A-Z0-9]{2,}$/.test(id));
  if (bad.length > 0) {
    throw new ConfigurationError(
      `SHIM_FIX_OPERATORS must be comma-separated Slack user ids such as U012ABCDEF; not user ids: ${bad.join(', ')}`,
    );
  }
  return [...new Set(ids)];
}

/** Reads and validates the configuration once; throws ConfigurationError naming the variable at fault. */
export function loadConfig(env: Env = process.env): Config {
  return {
    slackSigningSecret: optional(env, 'SLACK_SIGNING_SECRET'),
    slackBotToken: optional(env, 'SLACK_BOT_TOKEN'),
    slackAppToken: optional(env, 'SLACK_APP_TOKEN'),
    slackSigningSecretParam: optional(env, 'SLACK_SIGNING_SECRET_PARAM'),
    slackBotTokenParam: optional(env, 'SLACK_BOT_TOKEN_PARAM'),
    slackApiUrl: optional(env, 'SLACK_API_URL'),
    operators: parseOperators(env.SHIM_FIX_OPERATORS),
    allowTag: parseAllowTag(env.SHIM_FIX_ALLOW_TAG),
    restartDocument: optional(env, 'SHIM_FIX_RESTART_DOCUMENT') ?? DEFAULT_RESTART_DOCUMENT,
    checkDocument: optional(env, 'SHIM_FIX_CHECK_DOCUMENT') ?? DEFAULT_CHECK_DOCUMENT,
    documentHashes: parseDocumentHashes(env),
    workerFunction: optional(env, 'SHIM_FIX_WORKER_FUNCTION'),
    commandLogGroup: optional(env, 'SHIM_FIX_COMMAND_LOG_GROUP'),
    table: optional(env, 'SHIM_FIX_TABLE'),
    scanSchedule: optional(env, 'SHIM_FIX_SCAN_SCHEDULE'),
    awsRegion: optional(env, 'AWS_REGION') ?? optional(env, 'AWS_DEFAULT_REGION'),
  };
}

function parseDocumentHashes(env: Env): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [nameVariable, hashVariable, fallback] of [
    ['SHIM_FIX_RESTART_DOCUMENT', 'SHIM_FIX_RESTART_DOCUMENT_SHA256', DEFAULT_RESTART_DOCUMENT],
    ['SHIM_FIX_CHECK_DOCUMENT', 'SHIM_FIX_CHECK_DOCUMENT_SHA256', DEFAULT_CHECK_DOCUMENT],
  ] as const) {
    const hash = optional(env, hashVariable);
    if (hash === undefined) continue;
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new ConfigurationError(`${hashVariable} must be a SHA-256 in lower-case hex (64 characters)`);
    hashes[optional(env, nameVariable) ?? fallback] = hash;
  }
  return hashes;
}
