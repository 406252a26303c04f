import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { InMemoryRemediationStore } from '../../aws/in-memory-remediation-store';
import { DynamoRemediationStore } from '../../aws/remediation-store';
import type { RemediationStore } from '../../aws/remediation-store-types';
import { AwsSsmGateway, type SsmGateway } from '../../aws/ssm-gateway';
import type { Config } from '../../config';
import type { AppLogger } from '../../logger';
import type { RemediationCommands } from '../types';
import { SlackRemediationCommands } from './remediation-commands';
import { RemediationService } from './remediation-service';

export interface CreateRemediationOptions {
  config: Pick<Config, 'operators' | 'allowTag' | 'restartDocument' | 'checkDocument' | 'table' | 'commandLogGroup'>;
  logger: AppLogger;
  /** Injected in tests; created from the default AWS configuration otherwise. */
  ssm?: SsmGateway;
  store?: RemediationStore;
  dynamo?: DynamoDBClient;
}

/**
 * Wires the remediation flow for the Slack app: SSM gateway limited to our two documents, the remediation store
 * (DynamoDB when SHIM_FIX_TABLE is set, memory for local runs) and the service. Makes no network call.
 *
 * @example
 * createSlackDeps({ config, knowledge, logger, remediation: ({ logger }) => createRemediationCommands({ config, logger }) });
 */
export function createRemediationCommands({ config, logger, ssm, store, dynamo }: CreateRemediationOptions): RemediationCommands {
  const gateway =
    ssm ??
    new AwsSsmGateway({
      client: new SSMClient({}),
      // One attempt: the SDK must never repeat a SendCommand that may have landed (the gateway retries throttling).
      sendClient: new SSMClient({ maxAttempts: 1 }),
      allowTag: config.allowTag,
      documents: [config.restartDocument, config.checkDocument],
      commandLogGroup: config.commandLogGroup,
    });
  const remediationStore =
    store ?? (config.table !== undefined ? new DynamoRemediationStore({ tableName: config.table, client: dynamo ?? new DynamoDBClient({}) }) : new InMemoryRemediationStore());
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
  return new SlackRemediationCommands(service, remediationStore, logger);
}
