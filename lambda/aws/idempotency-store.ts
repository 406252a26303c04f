import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DYNAMO_CLIENT_OPTIONS } from './dynamo-client-options';

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
 * Two kinds of claim:
 * - plain (`claim(key, ttl)`): done at once. For side effects that are cheap to lose (a click's ephemeral answer).
 * - leased (`claim(key, ttl, { leaseSeconds })`): pending until `complete(key)`. When the holder dies between the claim
 *   and the side effect (Lambda timed out or was cut off), the lease runs out and the next delivery may take the
 *   claim over and finish the job. The lease must outlast the longest the holder can still be alive (the
 *   function's timeout), or a slow holder and the taker would both act.
 *
 * @example
 * if (!(await store.claim(`event:${body.event_id}`, 3600, { leaseSeconds: 30 }))) return; // handled or in hand
 * await postTheAnswer();
 * await store.complete(`event:${body.event_id}`);
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for `ttlSeconds`. Resolves `true` for the first caller only; every later caller gets `false`
   * until the claim expires, or, for a leased claim not completed, until its lease runs out. Keys are opaque
   * strings of at most a few hundred characters. Rejects when the store cannot be reached: callers decide whether
   * to fail open (an answer) or closed (anything that acts on a host).
   */
  claim(key: string, ttlSeconds: number, options?: ClaimOptions): Promise<boolean>;
  /** Marks a leased claim done: nobody may take it over until it expires. Completing an unknown key is not an error. */
  complete(key: string): Promise<void>;
  /**
   * Gives a claim back after the side effect failed, so the next delivery (Slack retries events) can try again.
   * Releasing a key that is not claimed is not an error.
   */
  release(key: string): Promise<void>;
  /** Where claims live, for the start-up log: `dynamodb:<table>` or `memory`. */
  readonly description: string;
}

export interface ClaimOptions {
  /** Seconds the claim stays pending before another caller may take it over; absent means done at once. */
  leaseSeconds?: number;
}

/**
 * Items are `pk = dedupe#<key>`, `sk = dedupe`, `expiresAt` epoch seconds (the table's TTL attribute), and for a
 * pending leased claim `leaseUntil` epoch seconds (removed by `complete`).
 */
export const DEDUPE_PREFIX = 'dedupe#';
export const DEDUPE_SORT_KEY = 'dedupe';

type Clock = () => number;

export interface DynamoIdempotencyStoreOptions {
  tableName: string;
  /** @default a client from the default AWS configuration with {@link DYNAMO_CLIENT_OPTIONS}, created on the first claim */
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

  public async claim(key: string, ttlSeconds: number, options: ClaimOptions = {}): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const { PutItemCommand } = dynamoSdk();
    const item: Record<string, { S: string } | { N: string }> = {
      pk: { S: DEDUPE_PREFIX + key },
      sk: { S: DEDUPE_SORT_KEY },
      expiresAt: { N: String(nowSeconds + wholeSeconds(ttlSeconds)) },
    };
    if (options.leaseSeconds !== undefined) item.leaseUntil = { N: String(nowSeconds + wholeSeconds(options.leaseSeconds)) };
    try {
      await this.dynamo().send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          // Free when absent, expired (TTL deletion is lazy), or pending with a lease that ran out (its holder died).
          // A done claim has no leaseUntil, and a comparison with a missing attribute is false.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  public async complete(key: string): Promise<void> {
    const { UpdateItemCommand } = dynamoSdk();
    try {
      await this.dynamo().send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: DEDUPE_PREFIX + key }, sk: { S: DEDUPE_SORT_KEY } },
          UpdateExpression: 'REMOVE leaseUntil',
          // Never create an item: a claim released (or expired and swept) meanwhile stays free.
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  public async release(key: string): Promise<void> {
    const { DeleteItemCommand } = dynamoSdk();
    await this.dynamo().send(
      new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: DEDUPE_PREFIX + key }, sk: { S: DEDUPE_SORT_KEY } } }),
    );
  }

  private dynamo(): DynamoDBClient {
    this.client ??= new (dynamoSdk().DynamoDBClient)({ ...DYNAMO_CLIENT_OPTIONS });
    return this.client;
  }
}

/**
 * For local runs (`npm run serve`, `npm run dev`) without a table: claims live in this process only, so they
 * do not survive a restart and are not shared between processes. The start-up log says so.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  public readonly description = 'memory';
  /** Key → when the claim expires and, while pending, when its lease runs out (milliseconds). */
  private readonly claims = new Map<string, { expiresAt: number; leaseUntil?: number }>();
  private readonly now: Clock;
  /** Bounds memory in long local sessions: expired claims are swept once the map grows past this. */
  private readonly sweepAbove: number;

  public constructor({ now = Date.now, sweepAbove = 10_000 }: { now?: Clock; sweepAbove?: number } = {}) {
    this.now = now;
    this.sweepAbove = sweepAbove;
  }

  public async claim(key: string, ttlSeconds: number, options: ClaimOptions = {}): Promise<boolean> {
    const now = this.now();
    const current = this.claims.get(key);
    if (current !== undefined && current.expiresAt > now && !(current.leaseUntil !== undefined && current.leaseUntil <= now)) return false;
    if (this.claims.size >= this.sweepAbove) this.sweep(now);
    this.claims.set(key, {
      expiresAt: now + wholeSeconds(ttlSeconds) * 1000,
      ...(options.leaseSeconds !== undefined ? { leaseUntil: now + wholeSeconds(options.leaseSeconds) * 1000 } : {}),
    });
    return true;
  }

  public async complete(key: string): Promise<void> {
    const current = this.claims.get(key);
    if (current !== undefined) this.claims.set(key, { expiresAt: current.expiresAt });
  }

  public async release(key: string): Promise<void> {
    this.claims.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, claim] of this.claims) {
      if (claim.expiresAt <= now) this.claims.delete(key);
    }
  }
}

function wholeSeconds(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
