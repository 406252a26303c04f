import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
// dynalite has no type declarations; it is a DynamoDB-compatible server that runs in this process on loopback.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => import('node:http').Server;

/** Key schema of the shim-fix table (contract shared with infra/ and lambda/aws/). */
export const TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  /** A client pointed at the local server, with dummy credentials. */
  client: DynamoDBClient;
  /** Creates another empty table with the same schema and returns its name. */
  createTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tableCounter = 0;

/**
 * Starts a DynamoDB-compatible server on 127.0.0.1 (random port) and creates one table with our schema.
 *
 * @example
 * const dynamo = await startLocalDynamo();
 * afterAll(() => dynamo.stop());
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const createTable = async (name = `shim-fix-test-${process.pid}-${++tableCounter}`): Promise<string> => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
    return name;
  };
  const tableName = await createTable();
  return {
    endpoint,
    tableName,
    client,
    createTable,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
