import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IdempotencyStore } from '../../aws/idempotency-store';
import { DYNAMO_CLIENT_OPTIONS } from '../../aws/dynamo-client-options';
import { InMemoryRemediationStore } from '../../aws/in-memory-remediation-store';
import { SSM_CLIENT_OPTIONS } from '../../aws/ssm-client-options';
import { lazyAdapter } from '../../aws/lazy-adapter';
import type { RemediationStore } from '../../aws/remediation-store-types';
import type { SsmGateway } from '../../aws/ssm-gateway';
import type { Config } from '../../config';
import type { AppLogger } from '../../logger';
import type { RemediationCommands } from '../types';
import { InProcessJobQueue, LambdaJobQueue, type JobChat, type JobQueue } from '../../remediation/jobs';
import type { FleetService } from '../../remediation/fleet/fleet-service';
import { FleetRollout } from '../../remediation/fleet/fleet-rollout';
import { createFleetService, type FleetWiring } from './fleet-wiring';
import { randomBytes } from 'node:crypto';
import { runRemediationJob } from './confirm-job';
import { SlackRemediationCommands } from './remediation-commands';
import { RemediationService } from '../../remediation/remediation-service';

export interface CreateRemediationOptions {
  config: Pick<Config, 'operators' | 'allowTag' | 'restartDocument' | 'checkDocument' | 'table' | 'commandLogGroup'> & Partial<Pick<Config, 'documentHashes' | 'workerFunction'>>;
  logger: AppLogger;
  /** Injected in tests; created from the default AWS configuration otherwise. */
  ssm?: SsmGateway;
  store?: RemediationStore;
  dynamo?: DynamoDBClient;
  /** Completions of fleet checks by purpose besides the built-in `restart` plan card (the scan's report). */
  fleetCompletions?: FleetWiring['completions'];
  /**
   * Where the next wave of a fleet restart is handed (the status handler: the worker). Unset in the worker itself,
   * which sends the next wave in the same invocation.
   */
  waveQueue?: JobQueue;
  /** Where button clicks are claimed once (the Slack app's idempotency store); without it a double click acts twice. */
  clicks?: IdempotencyStore;
}

/**
 * Wires the remediation flow for the Slack app: SSM gateway limited to our two documents, the remediation store
 * (DynamoDB when SHIM_FIX_TABLE is set, memory for local runs) and the service. Makes no network call.
 *
 * @example
 * createSlackDeps({ config, knowledge, logger, remediation: ({ logger }) => createRemediationCommands({ config, logger }) });
 */
export function createRemediationCommands(options: CreateRemediationOptions): RemediationCommands {
  const { config, logger } = options;
  const { service, store, fleetFor, fleetConfirm } = createRemediationService(options);
  if (!config.workerFunction && process.env.AWS_LAMBDA_FUNCTION_NAME) {
    // Lambda freezes the process once the answer is sent: an in-process job may never finish its check.
    logger.warn('SHIM_FIX_WORKER_FUNCTION is not set: check-first restarts run in this process (local runs only)');
  }
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point */
  const queue: JobQueue = config.workerFunction
    ? new LambdaJobQueue(config.workerFunction, async (input) => {
        const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
        lambdaClient ??= new LambdaClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 1500 } });
        return lambdaClient.send(new InvokeCommand(input));
      })
    : new InProcessJobQueue(
        (job, chat) => runRemediationJob(job, chat, { service, store, logger, fleetFor: (jobChat) => fleetFor(jobChat, queue) }),
        (error) => logger.error('remediation job failed', { error: error instanceof Error ? error.message : String(error) }),
      );
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new SlackRemediationCommands(service, store, logger, queue, config.operators, fleetConfirm, options.clicks);
}

let lambdaClient: import('@aws-sdk/client-lambda').LambdaClient | undefined;

/** The remediation service and its store, for the Slack handler and the remediation worker alike. */
export function createRemediationService({ config, logger, ssm, store, dynamo, fleetCompletions, waveQueue }: CreateRemediationOptions): {
  service: RemediationService;
  store: RemediationStore;
  /** The fleet flow posting with `chat` (issue 13); waves go to `queue` (default: the one given, else run in place). */
  fleetFor: (chat: JobChat, queue?: JobQueue) => FleetService;
  /** The fleet Confirm, inside Slack's request (table only, posts nothing). */
  fleetConfirm: FleetRollout;
} {
  // The AWS adapters (and the SDK behind them) load on the first remediation request, not at cold start.
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point */
  const gateway =
    ssm ??
    lazyAdapter<SsmGateway>(() => {
      const { SSMClient } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
      const { AwsSsmGateway } = require('../../aws/ssm-gateway') as typeof import('../../aws/ssm-gateway');
      return new AwsSsmGateway({
        client: new SSMClient({ ...SSM_CLIENT_OPTIONS }),
        // One attempt: the SDK must never repeat a SendCommand that may have landed (the gateway retries throttling).
        sendClient: new SSMClient({ ...SSM_CLIENT_OPTIONS, maxAttempts: 1 }),
        allowTag: config.allowTag,
        documents: [config.restartDocument, config.checkDocument],
        commandLogGroup: config.commandLogGroup,
        documentHashes: config.documentHashes ?? {},
      });
    });
  const table = config.table;
  const remediationStore =
    store ??
    (table === undefined
      ? new InMemoryRemediationStore()
      : lazyAdapter<RemediationStore>(
          () => {
            const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
            const { DynamoRemediationStore } = require('../../aws/remediation-store') as typeof import('../../aws/remediation-store');
            // Bounded timeouts: a slow table must turn into a clear refusal inside Slack's 3 seconds, not a hang.
            return new DynamoRemediationStore({ tableName: table, client: dynamo ?? new DynamoDBClient({ ...DYNAMO_CLIENT_OPTIONS }) });
          },
          { description: `dynamodb:${table}` },
        ));
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (remediationStore.description === 'memory') {
    logger.warn('SHIM_FIX_TABLE is not set: locks, plans and the audit trail live in memory, in this process only (local runs only)');
  }
  if (config.operators.length === 0) {
    logger.warn('SHIM_FIX_OPERATORS is empty: nobody may check or restart instances from Slack');
  }
  const service = new RemediationService({
    operators: config.operators,
    allowTag: config.allowTag,
    restartDocument: config.restartDocument,
    checkDocument: config.checkDocument,
    ssm: gateway,
    store: remediationStore,
    logger,
  });
  const fleetBase = {
    operators: config.operators,
    allowTag: config.allowTag,
    checkDocument: config.checkDocument,
    restartDocument: config.restartDocument,
    ssm: gateway,
    store: remediationStore,
    logger,
    now: Date.now,
    newId: (prefix: 'r' | 'p') => `${prefix}-${randomBytes(9).toString('base64url')}`,
  };
  const fleetFor = (chat: JobChat, queue: JobQueue | undefined = waveQueue) => createFleetService(fleetBase, { chat, ...(queue ? { queue } : {}), ...(fleetCompletions ? { completions: fleetCompletions } : {}) });
  return { service, store: remediationStore, fleetFor, fleetConfirm: new FleetRollout({ ...fleetBase, completions: {} }) };
}
