import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { RemediationStoreError } from '../core/remediation/errors';
import { OUTCOME_COUNTER, type FleetOutcome, type FleetRecord, type FleetStore, type NewFleetRecord } from '../remediation/fleet/fleet-store';
import { fleetTableOf, type FleetTableView } from '../remediation/fleet/fleet-table';
import { FLEET_CATEGORIES, type FleetFinding } from '../remediation/fleet/types';

const instanceId = z.string().regex(/^(?:i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/);
const count = z.number().int().nonnegative();
const fleetItemSchema = z
  .object({
    requestId: z.string().min(1),
    phase: z.enum(['check', 'restart']),
    purpose: z.enum(['restart', 'scan']),
    target: z.string(),
    channelId: z.string(),
    requestedBy: z.string().optional(),
    instanceIds: z.array(instanceId).max(1000),
    createdAt: z.string(),
    startedAt: z.number(),
    giveUpAt: z.number(),
    checkRequestId: z.string().optional(),
    waves: z.array(z.array(instanceId)),
    withDocker: z.array(instanceId),
    maxFailures: count,
    document: z.object({ name: z.string().min(1), version: z.string().regex(/^[1-9][0-9]*$/) }).optional(),
    reported: count.default(0),
    commandIds: z.array(z.string()).default([]),
    done: count.default(0),
    failed: count.default(0),
    skipped: count.default(0),
    unknown: count.default(0),
    haltedReason: z.string().optional(),
    completedAt: z.string().optional(),
    progressRenderedAt: z.number().optional(),
    progressFinalRendered: z.boolean().optional(),
  })
  .loose();
const findingSchema = z.object({
  instanceId,
  category: z.enum(FLEET_CATEGORIES),
  verdict: z.string(),
  detail: z.string(),
  runningContainers: count.optional(),
  runbookId: z.string().optional(),
});
const outcomeSchema = z.object({ instanceId, wave: z.number().int().positive(), outcome: z.enum(['restarted', 'failed', 'skipped', 'unknown']), detail: z.string(), sent: z.boolean() });

/** Per-wave counters are top-level attributes (`ws_<k>` sent, `we_<k>` ended): ADD works on those atomically. */
const WAVE_ATTRIBUTE = /^(ws|we)_([1-9][0-9]*)$/;

/**
 * The fleet items of the shared table, for {@link DynamoRemediationStore} (see lambda/remediation/fleet/fleet-store.ts
 * for the layout). Every "once" is a conditional write; counters move with ADD, and the request read back after an ADD
 * is what decides (the one writer that brings a count to its total sees it).
 */
export class DynamoFleetItems implements FleetStore {
  public constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
    private readonly now: () => number,
    private readonly appendEvent: (requestId: string, event: { type: string; detail?: string }) => Promise<void>,
  ) {}

  public async createFleet(record: NewFleetRecord): Promise<void> {
    await this.send(`could not create fleet request ${record.requestId}`, () =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: key(record.requestId), sk: 'fleet', ...record, reported: 0, commandIds: [], done: 0, failed: 0, skipped: 0, unknown: 0, expiresAt: this.expiry() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  public async getFleet(requestId: string): Promise<FleetRecord | undefined> {
    const item = await this.send(`could not read fleet request ${requestId}`, () =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: key(requestId), sk: 'fleet' }, ConsistentRead: true })),
    );
    return item.Item ? toRecord(item.Item) : undefined;
  }

  public async addFleetCommand(requestId: string, commandId: string): Promise<void> {
    // Pointer first: the status handler may see an event for this command within a second of SendCommand.
    await this.send(`could not record command ${commandId}`, () =>
      this.documents.send(new PutCommand({ TableName: this.tableName, Item: { pk: `command#${commandId}`, sk: 'command', requestId, expiresAt: this.expiry() } })),
    );
    await this.update(requestId, 'SET commandIds = list_append(if_not_exists(commandIds, :empty), :command)', { ':empty': [], ':command': [commandId] });
    await this.appendEvent(requestId, { type: 'sent', detail: `command ${commandId}` });
  }

  public async recordFinding(requestId: string, finding: FleetFinding): Promise<FleetRecord | undefined> {
    if (!(await this.putOnce(requestId, `finding#${finding.instanceId}`, { ...finding }))) return undefined;
    return this.update(requestId, 'ADD reported :one', { ':one': 1 });
  }

  public async listFindings(requestId: string): Promise<FleetFinding[]> {
    return (await this.query(requestId, 'finding#')).map((item) => findingSchema.parse(item));
  }

  public async recordOutcome(requestId: string, outcome: FleetOutcome): Promise<FleetRecord | undefined> {
    if (!(await this.putOnce(requestId, `outcome#${outcome.instanceId}`, { ...outcome }))) return undefined;
    const counter = OUTCOME_COUNTER[outcome.outcome];
    const record = await this.update(requestId, `ADD reported :one, #counter :one${outcome.sent ? `, we_${outcome.wave} :one` : ''}`, { ':one': 1 }, { '#counter': counter });
    await this.appendEvent(requestId, { type: 'instance-outcome', detail: `${outcome.instanceId}: ${outcome.outcome} (${outcome.detail})`.slice(0, 1000) });
    return record;
  }

  public async listOutcomes(requestId: string): Promise<FleetOutcome[]> {
    return (await this.query(requestId, 'outcome#')).map((item) => outcomeSchema.parse(item));
  }

  public async claimWave(requestId: string, wave: number): Promise<boolean> {
    const claimed = await this.putOnce(requestId, `wave#${wave}`, { wave });
    if (claimed) await this.appendEvent(requestId, { type: 'wave-claimed', detail: `wave ${wave}` });
    return claimed;
  }

  public async setWaveSent(requestId: string, wave: number, sent: number): Promise<FleetRecord> {
    return this.update(requestId, `SET ws_${wave} = :sent`, { ':sent': sent });
  }

  public async haltFleet(requestId: string, reason: string): Promise<boolean> {
    const won = await this.updateIf(requestId, 'SET haltedReason = :reason', 'attribute_not_exists(haltedReason)', { ':reason': reason });
    if (won) await this.appendEvent(requestId, { type: 'halted', detail: reason.slice(0, 1000) });
    return won;
  }

  public async claimFleetCompletion(requestId: string): Promise<boolean> {
    return this.updateIf(requestId, 'SET completedAt = :at', 'attribute_not_exists(completedAt)', { ':at': new Date(this.now()).toISOString() });
  }

  public async claimProgressRender(requestId: string, readAt: number | undefined, now: number, finished: boolean): Promise<boolean> {
    if (finished) {
      return this.updateIf(requestId, 'SET progressRenderedAt = :now, progressFinalRendered = :yes', 'attribute_not_exists(progressFinalRendered)', { ':now': now, ':yes': true });
    }
    const previous = readAt === undefined ? 'attribute_not_exists(progressRenderedAt)' : 'progressRenderedAt = :read';
    return this.updateIf(requestId, 'SET progressRenderedAt = :now', `(${previous}) AND attribute_not_exists(progressFinalRendered)`, {
      ':now': now,
      ...(readAt === undefined ? {} : { ':read': readAt }),
    });
  }

  public async readFleetTable(requestId: string): Promise<FleetTableView | undefined> {
    const record = await this.getFleet(requestId);
    if (!record) return undefined;
    const [outcomes, findings] = await Promise.all([this.listOutcomes(requestId), this.listFindings(requestId)]);
    return fleetTableOf(record, outcomes, findings);
  }

  private async putOnce(requestId: string, sk: string, item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: key(requestId), sk, ...item, at: new Date(this.now()).toISOString(), expiresAt: this.expiry() }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new RemediationStoreError(`could not write ${sk} of fleet request ${requestId}`, { cause: error });
    }
  }

  private async update(requestId: string, expression: string, values: Record<string, unknown>, names?: Record<string, string>): Promise<FleetRecord> {
    const result = await this.send(`could not update fleet request ${requestId}`, () =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key(requestId), sk: 'fleet' },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toRecord(result.Attributes ?? {});
  }

  private async updateIf(requestId: string, expression: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key(requestId), sk: 'fleet' },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new RemediationStoreError(`could not update fleet request ${requestId}`, { cause: error });
    }
  }

  private async query(requestId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send(`could not read fleet request ${requestId}`, () =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': key(requestId), ':prefix': prefix },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async send<T>(failure: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new RemediationStoreError(failure, { cause: error });
    }
  }

  private expiry(): number {
    return Math.floor(this.now() / 1000) + this.retentionSeconds;
  }
}

function key(requestId: string): string {
  return `fleet#${requestId}`;
}

function toRecord(item: Record<string, unknown>): FleetRecord {
  const parsed = fleetItemSchema.safeParse(item);
  if (!parsed.success) throw new RemediationStoreError(`a fleet request has an unexpected shape: ${parsed.error.message}`, { cause: parsed.error });
  const { requestedBy, checkRequestId, document, haltedReason, completedAt, progressRenderedAt, progressFinalRendered, ...data } = parsed.data;
  const waveSent: Record<number, number> = {};
  const waveEnded: Record<number, number> = {};
  for (const [name, value] of Object.entries(item)) {
    const match = WAVE_ATTRIBUTE.exec(name);
    if (!match || typeof value !== 'number') continue;
    (match[1] === 'ws' ? waveSent : waveEnded)[Number(match[2])] = value;
  }
  return {
    requestId: data.requestId,
    phase: data.phase,
    purpose: data.purpose,
    target: data.target,
    channelId: data.channelId,
    instanceIds: data.instanceIds,
    createdAt: data.createdAt,
    startedAt: data.startedAt,
    giveUpAt: data.giveUpAt,
    waves: data.waves,
    withDocker: data.withDocker,
    maxFailures: data.maxFailures,
    reported: data.reported,
    commandIds: data.commandIds,
    done: data.done,
    failed: data.failed,
    skipped: data.skipped,
    unknown: data.unknown,
    waveSent,
    waveEnded,
    ...(requestedBy !== undefined ? { requestedBy } : {}),
    ...(checkRequestId !== undefined ? { checkRequestId } : {}),
    ...(document !== undefined ? { document } : {}),
    ...(haltedReason !== undefined ? { haltedReason } : {}),
    ...(completedAt !== undefined ? { completedAt } : {}),
    ...(progressRenderedAt !== undefined ? { progressRenderedAt } : {}),
    ...(progressFinalRendered !== undefined ? { progressFinalRendered } : {}),
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
