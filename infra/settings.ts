import { TimeZone } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import {
  DEFAULT_ALLOW_TAG,
  DEFAULT_CHECK_DOCUMENT,
  DEFAULT_RESTART_DOCUMENT,
  parseAllowTag,
  parseOperators,
  type AllowTag,
} from '../lambda/config';
import { ConfigurationError } from '../lambda/core/errors';

/**
 * Everything an operator may choose at deploy time. The stack reads nothing else from its surroundings,
 * so the same settings always synthesise the same template (and synth needs no AWS account).
 * Filled from CDK context by {@link settingsFromContext}: `cdk deploy -c operators=U123,U456 -c allowTag=shim-fix=enabled`.
 */
export interface ShimFixSettings {
  /**
   * Slack user ids allowed to run check and restart. Empty means nobody: the bot still diagnoses.
   * Context key `operators` (comma-separated).
   * @default [] (deny by default)
   */
  readonly operators: readonly string[];
  /**
   * The tag an instance must carry before the bot may send it a command. IAM enforces it too.
   * Context key `allowTag` (`key=value`).
   * @default shim-fix=enabled
   */
  readonly allowTag: AllowTag;
  /**
   * SecureString parameter holding the Slack signing secret; the operator creates it before deploying.
   * Context key `signingSecretParam`.
   * @default /shim-fix/slack/signing-secret
   */
  readonly signingSecretParam: string;
  /**
   * SecureString parameter holding the Slack bot token (`xoxb-…`). Context key `botTokenParam`.
   * @default /shim-fix/slack/bot-token
   */
  readonly botTokenParam: string;
  /**
   * KMS key the two parameters are encrypted with, when it is a customer managed key. The AWS managed key
   * `aws/ssm` needs no IAM grant (its key policy lets every principal of the account decrypt through SSM),
   * so the role gets `kms:Decrypt` only when this is set. Context key `parameterKeyArn`.
   * @default undefined (the parameters use `aws/ssm`)
   */
  readonly parameterKeyArn?: string;
  /**
   * Name of our restart Command document. Context key `restartDocument`.
   * @default ShimFix-RestartContainerRuntime
   */
  readonly restartDocument: string;
  /**
   * Name of our read-only check Command document. Context key `checkDocument`.
   * @default ShimFix-CheckContainerRuntime
   */
  readonly checkDocument: string;
  /**
   * How long the handlers' logs are kept. The audit trail lives in DynamoDB, not in the logs.
   * Context key `logRetentionDays`; must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, …).
   * @default 90
   */
  readonly logRetention: RetentionDays;
  /**
   * Reserved concurrency of the Slack handler. Its Function URL is public (Slack's signature is checked inside),
   * so a cap keeps a flood of junk requests from using up the account's Lambda concurrency. Leave unset on
   * accounts with a small concurrency quota: Lambda refuses reservations that leave fewer than 100 unreserved.
   * Context key `slackConcurrency`.
   * @default undefined (no reservation)
   */
  readonly slackConcurrency?: number;
  /**
   * Where alarm notifications go. When unset the alarms exist but notify nobody. Context key `alarmEmail`.
   * @default undefined
   */
  readonly alarmEmail?: string;
  /**
   * The proactive scan (issue 13 point 3): an EventBridge Scheduler schedule that runs the read-only check on every
   * allow-tagged instance and posts to {@link scanChannel} only when hosts will fail new containers. Off when unset.
   * Context keys `scanSchedule` (`cron(…)` with six fields, or `rate(N hours|days)`; at most hourly: a scan checks up
   * to 1,000 hosts), `scanChannel` (required with a schedule) and `scanTimezone` (IANA name; default UTC).
   * @default undefined (no schedule; `/shim-fix scan` still works for operators)
   */
  readonly scan?: ScanSettings;
}

export interface ScanSettings {
  /** A Scheduler expression, e.g. `cron(0 6 * * ? *)` (daily at 06:00). */
  readonly schedule: string;
  /** The Slack channel id the report goes to; the bot must be invited to it. */
  readonly channel: string;
  /** @default UTC */
  readonly timezone?: string;
}

export const DEFAULT_SETTINGS: ShimFixSettings = {
  operators: [],
  allowTag: DEFAULT_ALLOW_TAG,
  signingSecretParam: '/shim-fix/slack/signing-secret',
  botTokenParam: '/shim-fix/slack/bot-token',
  restartDocument: DEFAULT_RESTART_DOCUMENT,
  checkDocument: DEFAULT_CHECK_DOCUMENT,
  logRetention: RetentionDays.THREE_MONTHS,
};

/** Context keys, one per setting. Also the names documented in docs/deploy.md. */
export const CONTEXT_KEYS = [
  'operators',
  'allowTag',
  'signingSecretParam',
  'botTokenParam',
  'parameterKeyArn',
  'restartDocument',
  'checkDocument',
  'logRetentionDays',
  'slackConcurrency',
  'alarmEmail',
  'scanSchedule',
  'scanChannel',
  'scanTimezone',
] as const;

const PARAMETER_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
// SSM document names: AWS reserves the prefixes `AWS`, `Amazon` and `amzn` (any case).
const DOCUMENT_NAME = /^(?!(aws|amazon|amzn))[a-zA-Z0-9_\-.]{3,128}$/i;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Public and private channels (C…, G…): a scheduled report is public, never a DM.
const CHANNEL_ID = /^[CG][A-Z0-9]{8,20}$/;
// The zones aws-cdk-lib knows Scheduler to accept (IANA names), and plain UTC.
const TIME_ZONES = new Set<string>(['UTC', ...Object.values(TimeZone).filter((zone): zone is TimeZone => zone instanceof TimeZone).map((zone) => zone.timezoneName)]);
const RETENTION_DAYS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ConfigurationError(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function matching(key: string, value: string | undefined, pattern: RegExp, example: string): string | undefined {
  if (value !== undefined && !pattern.test(value)) {
    throw new ConfigurationError(`context "${key}" is not valid: "${value}" (example: ${example})`);
  }
  return value;
}

function retention(raw: string | undefined): RetentionDays {
  if (raw === undefined) return DEFAULT_SETTINGS.logRetention;
  const days = Number(raw);
  if (!RETENTION_DAYS.has(days)) {
    throw new ConfigurationError(`context "logRetentionDays" must be one of ${[...RETENTION_DAYS].join(', ')}; got "${raw}"`);
  }
  return days as RetentionDays;
}

function concurrency(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new ConfigurationError(`context "slackConcurrency" must be a whole number from 1 to 1000; got "${raw}"`);
  }
  return value;
}

/**
 * A Scheduler expression the scan may use: `cron(min hour day month weekday year)` with a single minute (so at most
 * once an hour), or `rate(N hour[s]|day[s])`. One-time `at(…)` and minute rates are refused: a scan checks up to
 * 1,000 hosts, and a report more often than hourly would be noise.
 */
function scanSchedule(raw: string): string {
  const example = 'cron(0 6 * * ? *) (daily at 06:00) or rate(1 day)';
  const cron = /^cron\((.*)\)$/.exec(raw);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6) throw new ConfigurationError(`context "scanSchedule" must have six cron fields (minutes hours day-of-month month day-of-week year); got "${raw}" (example: ${example})`);
    if (!/^[0-5]?[0-9]$/.test(fields[0] ?? '')) throw new ConfigurationError(`context "scanSchedule" may run at most once an hour: its minutes field must be one number from 0 to 59; got "${raw}" (example: ${example})`);
    if (fields[2] !== '?' && fields[4] !== '?') throw new ConfigurationError(`context "scanSchedule": one of day-of-month and day-of-week must be "?"; got "${raw}" (example: ${example})`);
    return raw;
  }
  const rate = /^rate\(([1-9][0-9]{0,3}) (hour|hours|day|days)\)$/.exec(raw);
  if (rate) {
    const singular = rate[1] === '1';
    if (singular !== !(rate[2] ?? '').endsWith('s')) throw new ConfigurationError(`context "scanSchedule": write "rate(1 ${(rate[2] ?? '').replace(/s$/, '')})" or "rate(N ${(rate[2] ?? '').replace(/s?$/, 's')})"; got "${raw}"`);
    return raw;
  }
  throw new ConfigurationError(`context "scanSchedule" is not valid: "${raw}" (example: ${example}; at most hourly, no one-time at())`);
}

function scanSettings(node: Node): ScanSettings | undefined {
  const schedule = text(node, 'scanSchedule');
  const channel = text(node, 'scanChannel');
  const timezone = text(node, 'scanTimezone');
  if (schedule === undefined) {
    // A channel or zone without a schedule would look configured and do nothing.
    if (channel !== undefined || timezone !== undefined) throw new ConfigurationError(`context "scanChannel" and "scanTimezone" only apply with "scanSchedule"; set it (for example cron(0 6 * * ? *)) or remove them`);
    return undefined;
  }
  if (channel === undefined) throw new ConfigurationError('context "scanChannel" is required with "scanSchedule": the Slack channel id the scan reports to (for example C0123ABCDEF), with the bot invited');
  matching('scanChannel', channel, CHANNEL_ID, 'C0123ABCDEF (channel details → copy the channel id)');
  if (timezone !== undefined && !TIME_ZONES.has(timezone)) throw new ConfigurationError(`context "scanTimezone" is not a time zone EventBridge Scheduler knows: "${timezone}" (example: Europe/Berlin)`);
  return { schedule: scanSchedule(schedule), channel, ...(timezone !== undefined ? { timezone } : {}) };
}

/**
 * Reads and validates the settings from CDK context, falling back to {@link DEFAULT_SETTINGS}.
 * Invalid values stop the synth with a message that names the context key and shows a valid example.
 *
 * @example
 * const settings = settingsFromContext(app.node); // cdk synth -c operators=U012ABCDEF
 */
export function settingsFromContext(node: Node): ShimFixSettings {
  const wrap = <T>(key: string, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      // The parsers are shared with the Lambda config, so their messages name the environment variable.
      throw new ConfigurationError(`context "${key}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const document = (key: string, fallback: string) =>
    matching(key, text(node, key), DOCUMENT_NAME, 'ShimFix-CheckContainerRuntime; names may not start with AWS or Amazon') ?? fallback;
  const parameter = (key: string, fallback: string) =>
    matching(key, text(node, key), PARAMETER_NAME, '/shim-fix/slack/bot-token') ?? fallback;

  const settings: ShimFixSettings = {
    operators: wrap('operators', () => parseOperators(text(node, 'operators'))),
    allowTag: wrap('allowTag', () => parseAllowTag(text(node, 'allowTag'))),
    signingSecretParam: parameter('signingSecretParam', DEFAULT_SETTINGS.signingSecretParam),
    botTokenParam: parameter('botTokenParam', DEFAULT_SETTINGS.botTokenParam),
    parameterKeyArn: matching('parameterKeyArn', text(node, 'parameterKeyArn'), KMS_KEY_ARN, 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…'),
    restartDocument: document('restartDocument', DEFAULT_SETTINGS.restartDocument),
    checkDocument: document('checkDocument', DEFAULT_SETTINGS.checkDocument),
    logRetention: retention(text(node, 'logRetentionDays')),
    slackConcurrency: concurrency(text(node, 'slackConcurrency')),
    alarmEmail: matching('alarmEmail', text(node, 'alarmEmail'), EMAIL, 'oncall@example.com'),
    scan: scanSettings(node),
  };
  if (settings.restartDocument === settings.checkDocument) {
    throw new ConfigurationError('context "restartDocument" and "checkDocument" must name two different documents');
  }
  if (settings.signingSecretParam === settings.botTokenParam) {
    throw new ConfigurationError('context "signingSecretParam" and "botTokenParam" must name two different parameters');
  }
  return settings;
}
