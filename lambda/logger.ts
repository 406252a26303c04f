import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. One logger per process; handlers add the Lambda request id with `addContext`.
 * Never log a secret or a token: the Slack client is given this logger, but secrets are never passed to it.
 */
export const logger = new Logger({
  serviceName: 'shim-fix',
  logLevel: (process.env.SHIM_FIX_LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'SILENT' : 'INFO')) as 'INFO',
});

export type AppLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
