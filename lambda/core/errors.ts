/**
 * Every error shim-fix raises on purpose, in one place, so callers branch on `code` and never on message text.
 */
export enum ErrorCode {
  RunbookInvalid = 'shim_fix_runbook_invalid',
  KnowledgeBaseInvalid = 'shim_fix_knowledge_base_invalid',
  UsageError = 'shim_fix_usage_error',
  ConfigurationError = 'shim_fix_configuration_error',
  TargetInvalid = 'shim_fix_target_invalid',
  AwsCallFailed = 'shim_fix_aws_call_failed',
  RemediationStoreFailed = 'shim_fix_remediation_store_failed',
}

export interface CodedError extends Error {
  code: ErrorCode;
}

/** One problem found in one runbook file: which file, which field, what is wrong. */
export interface RunbookProblem {
  file: string;
  field: string;
  message: string;
}

export class RunbookInvalidError extends Error implements CodedError {
  public readonly code = ErrorCode.RunbookInvalid;
  public constructor(public readonly problems: RunbookProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'RunbookInvalidError';
  }
}

export class KnowledgeBaseInvalidError extends Error implements CodedError {
  public readonly code = ErrorCode.KnowledgeBaseInvalid;
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnowledgeBaseInvalidError';
  }
}

export class UsageError extends Error implements CodedError {
  public readonly code = ErrorCode.UsageError;
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class ConfigurationError extends Error implements CodedError {
  public readonly code = ErrorCode.ConfigurationError;
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

export function formatProblem(problem: RunbookProblem): string {
  return `${problem.file}: ${problem.field}: ${problem.message}`;
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as Partial<CodedError>).code === 'string';
}
