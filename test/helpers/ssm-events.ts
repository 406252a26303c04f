/**
 * SSM command events as EventBridge delivers them to the status handler, for tests of every layer.
 * Shapes follow AWS's documented examples of the two Run Command detail types.
 */
export interface SsmEventOptions {
  /** @default 'ShimFix-RestartContainerRuntime' */
  document?: string;
  /** EventBridge event id. @default derived from the command, instance and status */
  id?: string;
  /** Event time and the command's request time. @default now */
  time?: string;
  requestedAt?: string;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
export const RESTART_DOCUMENT = 'ShimFix-RestartContainerRuntime';

/** An "EC2 Command Invocation Status-change Notification": one instance's status. */
export function invocationStatusEvent(commandId: string, instanceId: string, status: string, options: SsmEventOptions = {}) {
  const time = options.time ?? new Date().toISOString();
  return {
    version: '0',
    id: options.id ?? `evt-${commandId}-${instanceId}-${status}`,
    'detail-type': 'EC2 Command Invocation Status-change Notification',
    source: 'aws.ssm',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`],
    detail: {
      'command-id': commandId,
      'document-name': options.document ?? RESTART_DOCUMENT,
      'instance-id': instanceId,
      'requested-date-time': options.requestedAt ?? time,
      status,
    },
  };
}

/** An "EC2 Command Status-change Notification": the whole command's status. */
export function commandStatusEvent(commandId: string, status: string, options: SsmEventOptions = {}) {
  const time = options.time ?? new Date().toISOString();
  return {
    version: '0',
    id: options.id ?? `evt-${commandId}-command-${status}`,
    'detail-type': 'EC2 Command Status-change Notification',
    source: 'aws.ssm',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [],
    detail: {
      'command-id': commandId,
      'document-name': options.document ?? RESTART_DOCUMENT,
      'requested-date-time': options.requestedAt ?? time,
      status,
    },
  };
}
