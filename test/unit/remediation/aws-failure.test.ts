import { ThrottlingException } from '@aws-sdk/client-ssm';
import { classifyAwsError, describeAwsFailure, type FailureContext } from '../../../lambda/core/remediation/aws-failure';
import type { AwsFailureKind } from '../../../lambda/core/remediation/errors';

const context: FailureContext = {
  operation: 'SendCommand',
  target: 'i-0123456789abcdef0',
  document: 'ShimFix-RestartContainerRuntime',
  allowTag: { key: 'shim-fix', value: 'enabled' },
  requestId: 'r-abc',
  awsName: 'X',
};

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

describe('classifyAwsError', () => {
  it.each<[string, AwsFailureKind]>([
    ['InvalidInstanceId', 'invalid-instance'],
    ['AccessDeniedException', 'access-denied'],
    ['ThrottlingException', 'throttled'],
    ['InvalidDocument', 'invalid-document'],
    ['InvalidDocumentVersion', 'invalid-document'],
    ['TimeoutError', 'timeout'],
    ['InternalServerError', 'unknown'],
  ])('classifies %s as %s', (name, kind) => {
    // Act + Assess
    expect(classifyAwsError(named(name)).kind).toBe(kind);
  });

  it('reads the attempts the SDK made from a real SDK exception', () => {
    // Prepare
    const error = new ThrottlingException({ Message: 'Rate exceeded', message: 'Rate exceeded', $metadata: { attempts: 3 } });

    // Act
    const classified = classifyAwsError(error);

    // Assess
    expect(classified).toEqual({ kind: 'throttled', awsName: 'ThrottlingException', attempts: 3 });
  });

  it('treats socket timeouts as timeouts', () => {
    // Act + Assess
    expect(classifyAwsError(named('Error', { code: 'ETIMEDOUT' })).kind).toBe('timeout');
  });
});

describe('describeAwsFailure', () => {
  it.each<[AwsFailureKind, string]>([
    ['invalid-instance', '/shim-fix check i-0123456789abcdef0'],
    ['access-denied', '`shim-fix=enabled`'],
    ['throttled', 'Try again in a minute'],
    ['invalid-document', 'redeploy'],
    ['timeout', 'comment `r-abc`'],
    ['invalid-response', 'r-abc'],
    ['unknown', 'r-abc'],
  ])('gives %s its own next step', (kind, text) => {
    // Act
    const message = describeAwsFailure(kind, { ...context, attempts: 3 });

    // Assess
    expect(message).toContain(text);
  });

  it('does not claim that nothing ran when SendCommand timed out', () => {
    // Act
    const message = describeAwsFailure('timeout', context);

    // Assess
    expect(message).not.toContain('Nothing ran');
    expect(message).toContain('cannot tell whether the command was sent');
  });
});
