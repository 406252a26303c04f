import { ErrorCode, type CodedError } from '../errors';

/**
 * Errors of the remediation path. Callers branch on `code` (and `kind` for AWS failures), never on message text.
 * Messages are product copy: they are shown to the person who asked, so they say what was wrong and how to do it right.
 */

/** The text after `/shim-fix check|restart` is not an instance id or a `tag:Key=Value` fleet. */
export class TargetInvalidError extends Error implements CodedError {
  public readonly code = ErrorCode.TargetInvalid;
  public constructor(message: string) {
    super(message);
    this.name = 'TargetInvalidError';
  }
}

/** How an AWS call failed, as far as the person in Slack needs to know. */
export const AWS_FAILURE_KINDS = [
  'invalid-instance',
  'access-denied',
  'throttled',
  'invalid-document',
  'timeout',
  'invalid-response',
  'unknown',
] as const;
export type AwsFailureKind = (typeof AWS_FAILURE_KINDS)[number];

/**
 * An SSM call failed. `kind` is what callers branch on; `awsName` is the SDK error name for logs and the audit record;
 * `cause` keeps the original SDK error (request id, HTTP status) so nothing is lost.
 */
export class AwsCallError extends Error implements CodedError {
  public readonly code = ErrorCode.AwsCallFailed;
  /** How many times the call was made, when we know (the SDK's retries, or our own for SendCommand). */
  public attempts?: number;
  public constructor(
    public readonly kind: AwsFailureKind,
    public readonly operation: string,
    public readonly awsName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsCallError';
  }
}

/** A DynamoDB call of the remediation store failed for a reason other than a lost race. */
export class RemediationStoreError extends Error implements CodedError {
  public readonly code = ErrorCode.RemediationStoreFailed;
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemediationStoreError';
  }
}
