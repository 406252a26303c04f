import type { AllowTag } from '../../config';
import { AwsCallError, type AwsFailureKind } from './errors';

const KIND_BY_NAME: Record<string, AwsFailureKind> = {
  InvalidInstanceId: 'invalid-instance',
  InvalidTarget: 'invalid-instance',
  UnsupportedPlatformType: 'invalid-instance',
  AccessDeniedException: 'access-denied',
  AccessDenied: 'access-denied',
  UnauthorizedOperation: 'access-denied',
  ThrottlingException: 'throttled',
  Throttling: 'throttled',
  TooManyRequestsException: 'throttled',
  TooManyUpdates: 'throttled',
  InvalidDocument: 'invalid-document',
  InvalidDocumentVersion: 'invalid-document',
  InvalidDocumentType: 'invalid-document',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
  AbortError: 'timeout',
};

/**
 * SendCommand errors that prove SSM refused the request as a whole before running anything (SSM API reference,
 * SendCommand "Errors", plus IAM's denial, request validation and throttling). Only these, and only as a client fault
 * (a 4xx that SSM parsed and answered), mean "nothing ran". `DocumentNotAllowed` is shim-fix's own refusal before any
 * request is made.
 */
const REJECTION_NAMES = new Set([
  'InvalidInstanceId',
  'InvalidDocument',
  'InvalidDocumentVersion',
  'InvalidParameters',
  'InvalidRole',
  'InvalidOutputFolder',
  'InvalidNotificationConfig',
  'DuplicateInstanceId',
  'MaxDocumentSizeExceeded',
  'UnsupportedPlatformType',
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'ValidationException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'DocumentNotAllowed',
  'DocumentHashMismatch',
]);

/**
 * True only when a failed SendCommand proves that nothing was started: a known rejection name on a client fault, or
 * shim-fix's own refusal before sending. A 5xx, a network error, a timeout or a 200 whose body fails validation may all
 * have started the command, so they are "unknown": the caller keeps the lock and the request in flight.
 */
export function provesNothingRan(error: unknown): boolean {
  if (!(error instanceof AwsCallError) || !REJECTION_NAMES.has(error.awsName)) return false;
  if (error.cause === undefined) return true;
  return (error.cause as { $fault?: unknown }).$fault === 'client';
}

/** What the operator is told when SendCommand failed in a way that does not prove a rejection. */
export function describeUnknownSend(context: Pick<FailureContext, 'awsName' | 'requestId'>): string {
  return (
    `SSM did not confirm the command (${context.awsName}), so shim-fix cannot tell whether it runs. Before trying again, look in ` +
    `Systems Manager > Run Command > Command history for the comment \`${context.requestId}\`. ` +
    'The instance stays locked until shim-fix learns the outcome or gives up on it, so a second restart cannot overlap a first one.'
  );
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNRESET']);

/**
 * Classifies an SDK error by its `name` (the AWS error code). The SDK has already retried throttling and transient
 * network errors by the time we see one, so `throttled` and `timeout` mean "still failing after retries".
 */
export function classifyAwsError(error: unknown): { kind: AwsFailureKind; awsName: string; attempts?: number } {
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const attempts = (error as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  const kind = KIND_BY_NAME[name] ?? (typeof code === 'string' && TIMEOUT_CODES.has(code) ? 'timeout' : 'unknown');
  return { kind, awsName: name, ...(attempts !== undefined ? { attempts } : {}) };
}

export interface FailureContext {
  /** The SSM API operation, e.g. `SendCommand`. */
  operation: string;
  /** As the user wrote it: `i-…` or `tag:Key=Value`. */
  target: string;
  document?: string;
  allowTag: AllowTag;
  requestId: string;
  awsName: string;
  attempts?: number;
}

/**
 * The Slack message for a failed AWS call: what failed, whether anything ran, and what to do next.
 * For a timeout of SendCommand the truth is "maybe": the copy says so and points at the comment to look for.
 */
export function describeAwsFailure(kind: AwsFailureKind, context: FailureContext): string {
  const target = `\`${context.target}\``;
  const document = context.document ? `\`${context.document}\`` : 'our SSM document';
  const sending = context.operation === 'SendCommand';
  switch (kind) {
    case 'invalid-instance':
      return (
        `SSM cannot run commands on ${target} (${context.awsName}): it is not a managed node in this account and region, ` +
        'it is stopped, or its agent is not connected. Nothing ran. Run `/shim-fix check ' + context.target + '` to see its state.'
      );
    case 'access-denied':
      return (
        `AWS refused ${context.operation} on ${target} (access denied). The bot may only act on instances tagged ` +
        `\`${context.allowTag.key}=${context.allowTag.value}\` with ${document}; check the tag is really on the instance, ` +
        'then ask your AWS admin to check the shim-fix role. Nothing ran.'
      );
    case 'throttled':
      return (
        `SSM is throttling requests right now${context.attempts ? ` (still refused after ${context.attempts} attempts)` : ''}. ` +
        'Nothing ran. Try again in a minute.'
      );
    case 'invalid-document':
      if (context.awsName === 'DocumentHashMismatch') {
        return (
          `The default version of ${document} is not the content this deployment of shim-fix created (its SHA-256 differs): ` +
          'someone published a new version outside the deployment. Nothing ran. Ask whoever deploys shim-fix to check the ' +
          "document's version history in Systems Manager > Documents, then redeploy the stack."
        );
      }
      return (
        `SSM does not accept ${document} (${context.awsName}): it is missing, was replaced, or is not a Command document. ` +
        'Nothing ran. Ask whoever deploys shim-fix to redeploy the stack.'
      );
    case 'timeout':
      return sending
        ? `SSM did not answer in time, so we cannot tell whether the command was sent. Before trying again, look in ` +
            `Systems Manager > Run Command > Command history for the comment \`${context.requestId}\`. ` +
            'The instance stays locked until the lock expires, so a second restart cannot overlap a first one.'
        : `SSM did not answer in time (${context.operation}). Nothing ran. Try again in a minute.`;
    case 'invalid-response':
      return `SSM answered ${context.operation} with something shim-fix does not understand. Nothing ran. The details are in the log under request \`${context.requestId}\`.`;
    case 'unknown':
      return (
        `${context.operation} failed with ${context.awsName}. ${sending ? 'SSM did not accept the command, so nothing ran.' : 'Nothing ran.'} ` +
        `The details are in the log under request \`${context.requestId}\`.`
      );
  }
}
