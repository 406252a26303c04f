import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type DynamoModule = typeof import('@aws-sdk/client-dynamodb');
let dynamoModule: DynamoModule | undefined;

/**
 * The DynamoDB client package is loaded on the first claim, not at start-up: it takes longer to load than
 * Bolt, and a cold start that answers a slash command or stays silent on a chatty message never needs it.
 */
function dynamoSdk(): DynamoModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  dynamoModule ??= require('@aws-sdk/client-dynamodb') as DynamoModule;
  return dynamoModule;
}

/**
 * Remembers which deliveries, clicks and replies were already handled, so a Slack retry or a double click
 * never causes a second side effect.
 *
 * @example
 * if (!(await store.claim(`event:${body.event_id}`, 3600))) return; // a re-delivery: already handled
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for `ttlSeconds`. Resolves `true` for the first caller only; every later caller gets `false`
   * until the claim expires. Keys are opaque strings of at most a few hundred characters.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Gives a claim back after the side effect failed, so the next delivery (Slack retries events) can try again.
   * Releasing a key that is not claimed is not an error.
   */
  release(key: string): Promise<void>;
  /** Where claims live, for the start-up log: `dynamodb:<table>` or `memory`. */
  readonly description: string;
}

/** Items are `pk = dedupe#<key>`, `sk = dedupe`, `expiresAt` epoch seconds (the table's TTL attribute). */
export const DEDUPE_PREFIX = 'dedupe#';
export const DEDUPE_SORT_KEY = 'dedupe';

type Clock = () => number;

export interface DynamoIdempotencyStoreOptions {
  tableName: string;
  /** @default a client from the default AWS configuration, created on the first claim */
  client?: DynamoDBClient;
  /** Milliseconds since the epoch. @default Date.now */
  now?: Clock;
}

/**
 * Conditional `PutItem`: the write succeeds only when no live claim exists. DynamoDB deletes expired items
 * lazily (up to a few days late), so an item whose `expiresAt` has passed counts as free.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  public readonly description: string;
  private readonly tableName: string;
  private client: DynamoDBClient | undefined;
  private readonly now: Clock;

  public constructor({ tableName, client, now = Date.now }: DynamoIdempotencyStoreOptions) {
    this.tableName = tableName;
    this.client = client;
    this.now = now;
    this.description = `dynamodb:${tableName}`;
  }

  public async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const { PutItemCommand, ConditionalCheckFailedException } = dynamoSdk();
    try {
      await this.dynamo().send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: DEDUPE_PREFIX + key },
            sk: { S: DEDUPE_SORT_KEY },
            expiresAt: { N: String(nowSeconds + Math.max(1, Math.ceil(ttlSeconds))) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }

  public async release(key: string): Promise<void> {
    const { DeleteItemCommand } = dynamoSdk();
    await this.dynamo().send(
      new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: DEDUPE_PREFIX + key }, sk: { S: DEDUPE_SORT_KEY } } }),
    );
  }

  private dynamo(): DynamoDBClient {
    this.client ??= new (dynamoSdk().DynamoDBClient)({});
    return this.client;
  }
}

/**
 * For local runs (`npm run serve`, `npm run dev`) without a table: claims live in this process only, so they
 * do not survive a restart and are not shared between processes. The start-up log says so.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  public readonly description = 'memory';
  private readonly expiries = new Map<string, number>();
  private readonly now: Clock;
  /** Bounds memory in long local sessions: expired claims are swept once the map grows past this. */
  private readonly sweepAbove: number;

  public constructor({ now = Date.now, sweepAbove = 10_000 }: { now?: Clock; sweepAbove?: number } = {}) {
    this.now = now;
    this.sweepAbove = sweepAbove;
  }

  public async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    if (this.expiries.size >= this.sweepAbove) this.sweep(now);
    this.expiries.set(key, now + Math.max(1, Math.ceil(ttlSeconds)) * 1000);
    return true;
  }

  public async release(key: string): Promise<void> {
    this.expiries.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry <= now) this.expiries.delete(key);
    }
  }
}
