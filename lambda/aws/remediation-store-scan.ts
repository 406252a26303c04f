import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { RemediationStoreError } from '../core/remediation/errors';
import { lastScanOf, type ScanRecord } from '../remediation/scan/scan-report';
import type { LastScanRecord, ScanStore } from '../remediation/scan/scan-store';

const instanceId = z.string().regex(/^(?:i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/);
const count = z.number().int().nonnegative();
const scanItemSchema = z.object({
  scanId: z.string().regex(/^r-[A-Za-z0-9_-]{1,40}$/),
  target: z.string(),
  channelId: z.string(),
  requestedBy: z.string().optional(),
  completedAt: z.string(),
  checked: count,
  unreachable: count,
  staleDaemon: z.array(instanceId).max(1000),
  shimNewer: z.array(instanceId).max(1000),
});
const lastScanItemSchema = scanItemSchema.extend({ staleTotal: count });

const LAST = 'scan#last';

/** The scan items of the shared table, for {@link DynamoRemediationStore} (layout: lambda/remediation/scan/scan-store.ts). */
export class DynamoScanItems implements ScanStore {
  public constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly expiry: () => number,
  ) {}

  public async saveScan(record: ScanRecord): Promise<void> {
    const expiresAt = this.expiry();
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { pk: `scan#${record.scanId}`, sk: 'scan', ...record, expiresAt } }));
    } catch (error) {
      throw new RemediationStoreError(`could not save scan ${record.scanId}`, { cause: error });
    }
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: LAST, sk: 'scan', ...lastScanOf(record), expiresAt },
          // ISO 8601 in UTC sorts as text: a scan that completed earlier never replaces a later one.
          ConditionExpression: 'attribute_not_exists(pk) OR completedAt < :completedAt',
          ExpressionAttributeValues: { ':completedAt': record.completedAt },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new RemediationStoreError(`could not save scan ${record.scanId} as the last scan`, { cause: error });
    }
  }

  public async getScan(scanId: string): Promise<ScanRecord | undefined> {
    const item = await this.read(`scan#${scanId}`);
    return item === undefined ? undefined : parse(scanItemSchema, item, `scan ${scanId}`);
  }

  public async getLastScan(): Promise<LastScanRecord | undefined> {
    const item = await this.read(LAST);
    return item === undefined ? undefined : parse(lastScanItemSchema, item, 'the last scan');
  }

  private async read(pk: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: 'scan' } }));
      return Item;
    } catch (error) {
      throw new RemediationStoreError(`could not read ${pk}`, { cause: error });
    }
  }
}

function parse<T extends z.ZodType>(schema: T, item: Record<string, unknown>, what: string): z.infer<T> {
  // z.object strips unknown keys: pk, sk and expiresAt stay behind.
  const parsed = schema.safeParse(item);
  if (!parsed.success) throw new RemediationStoreError(`${what} in the table does not have the expected shape: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
  return parsed.data;
}
