import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { GAP_RETENTION_SECONDS, type KnowledgeGap } from '../core/knowledge-gaps/gaps';

/**
 * Where knowledge gaps are kept for {@link GAP_RETENTION_SECONDS}: one item per occurrence, already redacted, so
 * "kept 30 days" is exact for every occurrence and grouping stays a pure function of what is read back.
 */
export interface KnowledgeGapStore {
  readonly description: string;
  record(gap: KnowledgeGap): Promise<void>;
  /** Occurrences not yet expired, newest first, at most `limit`. */
  listRecent(limit?: number): Promise<KnowledgeGap[]>;
}

/** Partition of the gap items; `sk` = `<ISO time>#<random>`, so a Query reads them newest first. */
export const GAP_PARTITION = 'gaps';
/** What App Home reads at most: about a page of items, plenty to rank the top groups. */
export const GAP_READ_LIMIT = 500;

const gapSchema = z.object({
  key: z.string().min(1),
  line: z.string(),
  reason: z.enum(['abstained', 'downvoted']),
  at: z.number(),
  runbook: z.string().optional(),
  expiresAt: z.number(),
});

export class DynamoKnowledgeGapStore implements KnowledgeGapStore {
  public readonly description: string;
  private readonly documents: DynamoDBDocumentClient;

  public constructor(
    private readonly options: { tableName: string; client: DynamoDBClient; now?: () => number },
  ) {
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.description = `dynamodb:${options.tableName}`;
  }

  public async record(gap: KnowledgeGap): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { pk: GAP_PARTITION, sk: `${new Date(gap.at).toISOString()}#${randomUUID()}`, ...gap, expiresAt: Math.floor(gap.at / 1000) + GAP_RETENTION_SECONDS },
      }),
    );
  }

  public async listRecent(limit = GAP_READ_LIMIT): Promise<KnowledgeGap[]> {
    const now = Math.floor((this.options.now ?? Date.now)() / 1000);
    // TTL deletion is lazy (hours to days): expired items are filtered out here, not trusted to be gone.
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'expiresAt >= :now',
        ExpressionAttributeValues: { ':pk': GAP_PARTITION, ':now': now },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).flatMap((item) => {
      const parsed = gapSchema.safeParse(item);
      if (!parsed.success) return [];
      const { expiresAt: _expiresAt, ...gap } = parsed.data;
      return [gap];
    });
  }
}

/** Local runs: the same rules in this process only, expiry included. */
export class InMemoryKnowledgeGapStore implements KnowledgeGapStore {
  public readonly description = 'memory';
  private readonly gaps: KnowledgeGap[] = [];

  public constructor(private readonly now: () => number = Date.now) {}

  public async record(gap: KnowledgeGap): Promise<void> {
    this.gaps.push({ ...gap });
  }

  public async listRecent(limit = GAP_READ_LIMIT): Promise<KnowledgeGap[]> {
    const oldest = this.now() - GAP_RETENTION_SECONDS * 1000;
    // Expired occurrences are dropped for good, so a long local session does not grow without bound.
    for (let index = this.gaps.length - 1; index >= 0; index -= 1) if ((this.gaps[index]?.at ?? 0) < oldest) this.gaps.splice(index, 1);
    return [...this.gaps].sort((a, b) => b.at - a.at).slice(0, limit).map((gap) => ({ ...gap }));
  }
}
