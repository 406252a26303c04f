import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaJobQueue } from '../remediation/jobs';
import { createRemediationService } from '../slack/remediation/create-remediation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WebClient } from '@slack/web-api';
import { readBotToken } from '../aws/bot-token';
import { DynamoRemediationStore } from '../aws/remediation-store';
import type { RemediationStore } from '../aws/remediation-store-types';
import { SSM_CLIENT_OPTIONS } from '../aws/ssm-client-options';
import { AwsSsmGateway } from '../aws/ssm-gateway';
import { loadConfig } from '../config';
import { ConfigurationError } from '../core/errors';
import { logger } from '../logger';
import { oncePerInstance } from '../once-per-instance';
import { slackWebClientOptions } from '../slack/post-outcome';
import { handleCommandEvent, type StatusUpdateDeps } from '../slack/remediation/status-updates';

/**
 * Second Lambda entry: EventBridge delivers SSM's `EC2 Command Invocation Status-change Notification` and
 * `EC2 Command Status-change Notification` for our two documents. Throwing makes Lambda retry the event (async
 * invocation), which is what we want when DynamoDB or Slack failed; every step is idempotent, so a retry is safe.
 */
export function createCommandStatusHandler(buildDeps: () => Promise<StatusUpdateDeps>) {
  // Built once per cold start; a failed build is not kept, so the next event tries again.
  const deps = oncePerInstance(buildDeps);
  return async (event: unknown, context: { awsRequestId?: string } | undefined): Promise<void> => {
    if (context?.awsRequestId) logger.appendKeys({ awsRequestId: context.awsRequestId });
    await handleCommandEvent(event, await deps());
  };
}

/** What a caller may inject instead of what the configuration builds (tests only; production passes none). */
export interface StatusDepsOverrides {
  /**
   * The remediation store instead of the table's: it must be the one the Slack handler writes, since the pointer from
   * command id to request lives there (a test shares one in-memory store between both handlers).
   */
  store?: RemediationStore;
}

/** Reads the configuration and the bot token once, and wires the real clients. */
export async function buildStatusDeps(env: Record<string, string | undefined> = process.env, overrides: StatusDepsOverrides = {}): Promise<StatusUpdateDeps> {
  const config = loadConfig(env);
  if (!config.table) {
    // The pointer from command id to request lives in the table the Slack handler wrote; memory cannot be shared.
    throw new ConfigurationError('SHIM_FIX_TABLE is not set: the status handler needs the table the Slack handler writes');
  }
  const ssmClient = new SSMClient({ ...SSM_CLIENT_OPTIONS });
  const token = await readBotToken(config, ssmClient);
  // The same client as the Slack handler's: a short timeout, and no client retry of a post that may have reached
  // Slack (its own retries would duplicate results on a slow Slack); what surely failed is retried by Lambda.
  const web = new WebClient(token, slackWebClientOptions(config.slackApiUrl));
  const documents = [config.restartDocument, config.checkDocument];
  const store = overrides.store ?? new DynamoRemediationStore({ tableName: config.table, client: new DynamoDBClient({}) });
  const ssm = new AwsSsmGateway({ client: ssmClient, allowTag: config.allowTag, documents });
  return {
    store,
    ssm,
    // Fleet events: findings, outcomes, the plan card; the next wave goes to the worker (this role has no SendCommand).
    fleet: createRemediationService({ config, logger, ssm, store, ...(config.workerFunction ? { waveQueue: workerQueue(config.workerFunction) } : {}) }).fleetFor(web.chat),
    chat: {
      update: (args) => web.chat.update(args),
      postMessage: (args) => web.chat.postMessage(args),
      postEphemeral: (args) => web.chat.postEphemeral(args),
    },
    documents,
    logger,
    // Always offered: the Slack handler authorises whoever clicks it, with the operator list it is configured with.
    offerRestart: true,
  };
}

/** Fleet waves handed to the remediation worker by asynchronous invocation (lambda:InvokeFunction on it only). */
function workerQueue(functionName: string): LambdaJobQueue {
  const lambda = new LambdaClient({ maxAttempts: 2 });
  return new LambdaJobQueue(functionName, (input) => lambda.send(new InvokeCommand(input)));
}

export const handler = createCommandStatusHandler(() => buildStatusDeps());
