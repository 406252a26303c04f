import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { statusRank, type RequestOutcome } from '../core/remediation/command-status';
import { RemediationStoreError } from '../core/remediation/errors';
import type { Plan, PlanEvidence } from '../core/remediation/types';
import type { FleetOutcome, FleetRecord, NewFleetRecord } from '../remediation/fleet/fleet-store';
import type { FleetTableView } from '../remediation/fleet/fleet-table';
import type { FleetFinding } from '../remediation/fleet/types';
import { DynamoFleetItems } from './remediation-store-fleet';
import { DynamoScanItems } from './remediation-store-scan';
import type { ScanRecord } from '../remediation/scan/scan-report';
import type { LastScanRecord } from '../remediation/scan/scan-store';
import { RESULT_POST_LEASE_SECONDS, type AuditEvent, type AuditRecord, type InFlightRequest, type LockResult, type NewAuditRecord, type PlanClaim, type RemediationStore, type SendingStage, type StatusMessageRef } from './remediation-store-types';

export * from './remediation-store-types';

/** How long audit records are kept (the table's TTL deletes them afterwards). */
export const AUDIT_RETENTION_SECONDS = 400 * 24 * 60 * 60;

/** Partition of the in-flight index; one item per request (`sk` = request id) while its command runs. */
export const IN_FLIGHT_PARTITION = 'inflight';
/** Partition of the recent-requests index (`sk` = `<createdAt>#<requestId>`), read newest first by App Home. */
export const RECENT_PARTITION = 'recent';
/** An in-flight entry nobody closed (the sweeper gives up long before) is deleted by the table's TTL after this. */
const IN_FLIGHT_RETENTION_SECONDS = 7 * 24 * 60 * 60;

const inFlightSchema = z.object({ sk: z.string(), commandId: z.string().optional(), sentAt: z.number(), stage: z.enum(['preparing', 'sending']).optional() });

/**
 * The plan as read back at Confirm: its target, instances, document and evidence are what gets sent, so it is
 * validated like any other input, not trusted because this table wrote it.
 */
const storedPlanSchema = z.object({
  planId: z.string().min(1),
  requestId: z.string().min(1),
  action: z.enum(['check', 'restart']),
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('instance'), instanceId: z.string().regex(/^(?:i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/) }),
    z.object({ kind: z.literal('fleet'), tag: z.object({ key: z.string().min(1).max(128), value: z.string().min(1).max(256) }) }),
  ]),
  requestedBy: z.string().min(1),
  channelId: z.string(),
  document: z.object({ name: z.string().min(1), version: z.string().regex(/^[1-9][0-9]*$/) }),
  instanceIds: z.array(z.string()).max(1000),
  rollout: z.object({ maxConcurrency: z.string(), maxErrors: z.string(), timeoutSeconds: z.number().int().positive() }),
  restarts: z.array(z.string()),
  warnings: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.number(),
  checkFirst: z.boolean().optional(),
  evidence: z
    .object({
      checkRequestId: z.string(),
      instanceId: z.string(),
      verdict: z.string(),
      offered: z.array(z.string()),
      sentence: z.string(),
      runbook: z.string(),
      facts: z.array(z.string()),
      warnings: z.array(z.string()),
      containersAtRisk: z.number().int().nonnegative().optional(),
    })
    .optional(),
  fleet: z
    .object({
      checkRequestId: z.string().min(1),
      targetLabel: z.string(),
      restartIds: z.array(z.string().regex(/^(?:i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/)).max(1000),
      dockerIds: z.array(z.string().regex(/^(?:i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/)).max(1000),
      dockerContainers: z.number().int().nonnegative(),
    })
    .optional(),
});

const planSchema = z.object({
  plan: storedPlanSchema.transform((plan): Plan => plan as Plan),
  state: z.enum(['pending', 'confirmed', 'cancelled']),
  decidedBy: z.string().optional(),
  expiresAt: z.number(),
});
const lockSchema = z.object({ requestId: z.string(), acquiredAt: z.string(), expiresAt: z.number() });
const auditSchema = z.object({
  requestId: z.string(),
  action: z.enum(['check', 'restart']),
  target: z.string(),
  requestedBy: z.string(),
  channelId: z.string(),
  createdAt: z.string(),
  state: z.string(),
  instanceIds: z.array(z.string()),
  document: z.object({ name: z.string(), version: z.string() }).optional(),
  followUp: z.object({ planId: z.string() }).optional(),
  fleet: z.object({ phase: z.enum(['check', 'restart']) }).optional(),
  commandId: z.string().optional(),
  statusMessage: z.object({ channel: z.string(), ts: z.string() }).optional(),
  instances: z.record(z.string(), z.object({ status: z.string(), rank: z.number(), at: z.string() })).default({}),
  commandStatus: z.object({ status: z.string(), rank: z.number(), at: z.string() }).optional(),
  outcome: z.string().optional(),
  outcomeDetail: z.string().optional(),
  closedAt: z.string().optional(),
});
const eventSchema = z.object({ at: z.string(), type: z.string(), by: z.string().optional(), detail: z.string().optional() });

export interface DynamoRemediationStoreOptions {
  tableName: string;
  client: DynamoDBClient;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * Locks, pending plans, audit records and the command pointer in the shared table (`pk`, `sk`, TTL `expiresAt`).
 *
 * Item layout (see docs/remediation.md "Reading the audit trail"):
 * - `plan#<planId>` / `plan`: the plan card, until confirmed, cancelled or expired
 * - `lock#<instanceId>` / `lock`: the request restarting that instance
 * - `audit#<requestId>` / `request`: who, what, where, when, command id, per-instance status, outcome
 * - `audit#<requestId>` / `event#<iso time>#<seq>`: one item per state change (append-only)
 * - `audit#<requestId>` / `posted#<instanceId>`: the result for that instance is being posted (`leaseUntil`) or was posted
 * - `command#<commandId>` / `command`: the request that sent it, for the status handler
 * - `inflight` / `<requestId>`: a command being sent (no `commandId` yet) or sent, whose request is not closed yet, for
 *   the sweeper (one small partition: restarts are rare, and the sweeper reads it every few minutes)
 *
 * Every race (double click, two restarts, duplicated events) is settled by a conditional write, never by a read.
 * DynamoDB deletes expired items lazily (hours to days late), so conditions treat `expiresAt < now` as absent.
 */
export class DynamoRemediationStore implements RemediationStore {
  public readonly description: string;
  private readonly tableName: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly now: () => number;
  private readonly fleetItems: DynamoFleetItems;
  private readonly scanItems: DynamoScanItems;
  private sequence = 0;

  public constructor({ tableName, client, now = Date.now }: DynamoRemediationStoreOptions) {
    this.tableName = tableName;
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.now = now;
    this.description = `dynamodb:${tableName}`;
    this.fleetItems = new DynamoFleetItems(this.documents, tableName, AUDIT_RETENTION_SECONDS, now, (requestId, event) => this.appendEvent(requestId, event));
    this.scanItems = new DynamoScanItems(this.documents, tableName, () => this.nowSeconds() + AUDIT_RETENTION_SECONDS);
  }

  // The scan items (lambda/aws/remediation-store-scan.ts): the proactive scan's records and App Home's last scan.
  public saveScan(record: ScanRecord): Promise<void> {
    return this.scanItems.saveScan(record);
  }
  public getScan(scanId: string): Promise<ScanRecord | undefined> {
    return this.scanItems.getScan(scanId);
  }
  public getLastScan(): Promise<LastScanRecord | undefined> {
    return this.scanItems.getLastScan();
  }
  // The fleet items (lambda/aws/remediation-store-fleet.ts) share this table and its audit trail.
  public createFleet(record: NewFleetRecord): Promise<void> {
    return this.fleetItems.createFleet(record);
  }
  public getFleet(requestId: string): Promise<FleetRecord | undefined> {
    return this.fleetItems.getFleet(requestId);
  }
  public addFleetCommand(requestId: string, commandId: string): Promise<void> {
    return this.fleetItems.addFleetCommand(requestId, commandId);
  }
  public recordFinding(requestId: string, finding: FleetFinding): Promise<FleetRecord | undefined> {
    return this.fleetItems.recordFinding(requestId, finding);
  }
  public listFindings(requestId: string): Promise<FleetFinding[]> {
    return this.fleetItems.listFindings(requestId);
  }
  public recordOutcome(requestId: string, outcome: FleetOutcome): Promise<FleetRecord | undefined> {
    return this.fleetItems.recordOutcome(requestId, outcome);
  }
  public listOutcomes(requestId: string): Promise<FleetOutcome[]> {
    return this.fleetItems.listOutcomes(requestId);
  }
  public claimWave(requestId: string, wave: number): Promise<boolean> {
    return this.fleetItems.claimWave(requestId, wave);
  }
  public setWaveSent(requestId: string, wave: number, sent: number): Promise<FleetRecord> {
    return this.fleetItems.setWaveSent(requestId, wave, sent);
  }
  public haltFleet(requestId: string, reason: string): Promise<boolean> {
    return this.fleetItems.haltFleet(requestId, reason);
  }
  public claimFleetCompletion(requestId: string): Promise<boolean> {
    return this.fleetItems.claimFleetCompletion(requestId);
  }
  public claimProgressRender(requestId: string, readAt: number | undefined, now: number, finished: boolean): Promise<boolean> {
    return this.fleetItems.claimProgressRender(requestId, readAt, now, finished);
  }
  /** H8's per-instance table port (fleet-table-listener.ts). */
  public readFleetTable(requestId: string): Promise<FleetTableView | undefined> {
    return this.fleetItems.readFleetTable(requestId);
  }

  public async savePlan(plan: Plan): Promise<void> {
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `plan#${plan.planId}`, sk: 'plan', plan, state: 'pending', expiresAt: plan.expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  public async claimPlan(planId: string, userId: string, decision: 'confirmed' | 'cancelled'): Promise<PlanClaim> {
    const key = { pk: `plan#${planId}`, sk: 'plan' };
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #state = :decision, decidedBy = :user, decidedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #state = :pending AND expiresAt >= :now',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':decision': decision,
            ':user': userId,
            ':at': this.isoNow(),
            ':pending': 'pending',
            ':now': this.nowSeconds(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { claimed: true, plan: planSchema.parse(result.Attributes).plan };
    } catch (error) {
      if (!isConditionFailure(error)) throw new RemediationStoreError(`could not claim plan ${planId}`, { cause: error });
    }
    // Lost the race or the card is old: read why, for the message.
    const current = await this.read(key, planSchema);
    if (!current) return { claimed: false, reason: 'missing' };
    if (current.state !== 'pending') return { claimed: false, reason: current.state === 'confirmed' ? 'already-confirmed' : 'already-cancelled', by: current.decidedBy, plan: current.plan };
    return { claimed: false, reason: 'expired', plan: current.plan };
  }

  public async attachEvidence(planId: string, evidence: PlanEvidence, expiresAt: number): Promise<Plan | undefined> {
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `plan#${planId}`, sk: 'plan' },
          UpdateExpression: 'SET #plan.evidence = :evidence, #plan.expiresAt = :expiresAt, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(pk) AND #state = :pending',
          ExpressionAttributeNames: { '#plan': 'plan', '#state': 'state' },
          ExpressionAttributeValues: { ':evidence': evidence, ':expiresAt': expiresAt, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return planSchema.parse(result.Attributes).plan;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw new RemediationStoreError(`could not attach evidence to plan ${planId}`, { cause: error });
    }
  }

  public async getPlan(planId: string): Promise<Plan | undefined> {
    const current = await this.read({ pk: `plan#${planId}`, sk: 'plan' }, planSchema);
    return current?.plan;
  }

  public async acquireLocks(instanceIds: readonly string[], requestId: string, ttlSeconds: number): Promise<LockResult> {
    // No transactions (dynalite has none, and 100 items is TransactWriteItems' limit anyway): take the locks one by
    // one in a stable order and give back the ones taken when one is held. Sorting means two overlapping fleet
    // requests meet on the same first instance instead of each holding half.
    const taken: string[] = [];
    for (const instanceId of [...instanceIds].sort()) {
      const acquired = await this.acquireLock(instanceId, requestId, ttlSeconds);
      if (!acquired.acquired) {
        await this.releaseLocks(taken, requestId);
        return acquired;
      }
      taken.push(instanceId);
    }
    return { acquired: true };
  }

  public async releaseLocks(instanceIds: readonly string[], requestId: string): Promise<void> {
    await Promise.all(
      instanceIds.map(async (instanceId) => {
        try {
          await this.documents.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: { pk: `lock#${instanceId}`, sk: 'lock' },
              // Only our own lock: a late release must not free the lock of a newer request.
              ConditionExpression: 'requestId = :request',
              ExpressionAttributeValues: { ':request': requestId },
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw new RemediationStoreError(`could not release the lock on ${instanceId}`, { cause: error });
        }
      }),
    );
  }

  public async createAudit(record: NewAuditRecord): Promise<void> {
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `audit#${record.requestId}`,
            sk: 'request',
            ...record,
            instances: {},
            expiresAt: this.nowSeconds() + AUDIT_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    // A pointer, not a copy: App Home reads the newest few and then the audit records themselves.
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: RECENT_PARTITION, sk: `${record.createdAt}#${record.requestId}`, requestId: record.requestId, expiresAt: this.nowSeconds() + AUDIT_RETENTION_SECONDS },
        }),
      ),
    );
    await this.appendEvent(record.requestId, { type: record.state, by: record.requestedBy, detail: record.outcomeDetail });
  }

  public async appendEvent(requestId: string, event: Omit<AuditEvent, 'at'>): Promise<void> {
    const at = this.isoNow();
    // The sequence keeps two events of the same millisecond apart and in order.
    const sk = `event#${at}#${String(++this.sequence % 1_000_000).padStart(6, '0')}`;
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `audit#${requestId}`, sk, at, ...event, expiresAt: this.nowSeconds() + AUDIT_RETENTION_SECONDS },
        }),
      ),
    );
  }

  public async recordCommand(requestId: string, commandId: string, document: { name: string; version: string }): Promise<void> {
    // Pointer first: the status handler may see an event for this command within a second of SendCommand.
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `command#${commandId}`, sk: 'command', requestId, expiresAt: this.nowSeconds() + AUDIT_RETENTION_SECONDS },
        }),
      ),
    );
    await this.update(requestId, 'SET commandId = :command, #document = :document, #state = :state', { ':command': commandId, ':document': document, ':state': 'sent' }, {
      '#document': 'document',
    });
    // After the pointer: the sweeper that finds this entry must be able to follow the command.
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: IN_FLIGHT_PARTITION, sk: requestId, commandId, sentAt: this.now(), expiresAt: this.nowSeconds() + IN_FLIGHT_RETENTION_SECONDS },
        }),
      ),
    );
    await this.appendEvent(requestId, { type: 'sent', detail: `command ${commandId}, ${document.name} version ${document.version}` });
  }

  public async markSending(requestId: string, stage: SendingStage = 'sending'): Promise<void> {
    await this.write(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: IN_FLIGHT_PARTITION, sk: requestId, stage, sentAt: this.now(), expiresAt: this.nowSeconds() + IN_FLIGHT_RETENTION_SECONDS },
        }),
      ),
    );
  }

  public async listInFlight(): Promise<InFlightRequest[]> {
    const entries: InFlightRequest[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': IN_FLIGHT_PARTITION },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const parsed = inFlightSchema.safeParse(item);
          if (parsed.success) {
            const { sk, commandId, sentAt, stage } = parsed.data;
            entries.push({ requestId: sk, ...(commandId !== undefined ? { commandId } : { stage: stage ?? 'sending' }), sentAt });
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw new RemediationStoreError('could not read the in-flight requests', { cause: error });
    }
    return entries.sort((a, b) => a.sentAt - b.sentAt);
  }

  public async removeInFlight(requestId: string): Promise<void> {
    await this.write(() => this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: IN_FLIGHT_PARTITION, sk: requestId } })));
  }

  public async setStatusMessage(requestId: string, message: StatusMessageRef): Promise<void> {
    await this.update(requestId, 'SET statusMessage = :message', { ':message': message });
  }

  public async findRequestByCommand(commandId: string): Promise<string | undefined> {
    const item = await this.read({ pk: `command#${commandId}`, sk: 'command' }, z.object({ requestId: z.string() }));
    return item?.requestId;
  }

  public async getAudit(requestId: string): Promise<AuditRecord | undefined> {
    return this.read({ pk: `audit#${requestId}`, sk: 'request' }, auditSchema) as Promise<AuditRecord | undefined>;
  }

  public async listRecentAudits(limit: number): Promise<AuditRecord[]> {
    let page;
    try {
      page = await this.documents.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': RECENT_PARTITION }, ScanIndexForward: false, Limit: limit }),
      );
    } catch (error) {
      throw new RemediationStoreError('could not read the recent requests', { cause: error });
    }
    const ids = (page.Items ?? []).flatMap((item) => (typeof item.requestId === 'string' ? [item.requestId] : []));
    const audits = await Promise.all(ids.map((requestId) => this.getAudit(requestId)));
    return audits.filter((audit): audit is AuditRecord => audit !== undefined);
  }

  public async getEvents(requestId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `audit#${requestId}`, ':prefix': 'event#' },
          ExclusiveStartKey: startKey,
        }),
      );
      events.push(...(page.Items ?? []).map((item) => eventSchema.parse(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  public async recordInstanceStatus(requestId: string, instanceId: string, status: string): Promise<boolean> {
    return this.advanceStatus(requestId, { path: '#instances.#id', names: { '#instances': 'instances', '#id': instanceId } }, status, {
      failure: `could not record the status of ${instanceId} for ${requestId}`,
      event: { type: 'instance-status', detail: `${instanceId}: ${status}` },
    });
  }

  public async recordCommandStatus(requestId: string, status: string): Promise<boolean> {
    return this.advanceStatus(requestId, { path: 'commandStatus', names: {} }, status, {
      failure: `could not record the command status for ${requestId}`,
      event: { type: 'command-status', detail: status },
    });
  }

  /**
   * Stores `status` at `path` of the audit record only if it moves forward: a duplicate (same rank) or an older status
   * arriving late changes nothing and returns false. A change is also appended to the audit trail.
   */
  private async advanceStatus(
    requestId: string,
    { path, names }: { path: string; names: Record<string, string> },
    status: string,
    { failure, event }: { failure: string; event: Omit<AuditEvent, 'at'> },
  ): Promise<boolean> {
    const rank = statusRank(status);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `audit#${requestId}`, sk: 'request' },
          UpdateExpression: `SET ${path} = :entry`,
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(${path}) OR ${path}.#rank < :rank)`,
          ExpressionAttributeNames: { ...names, '#rank': 'rank' },
          ExpressionAttributeValues: { ':entry': { status, rank, at: this.isoNow() }, ':rank': rank },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new RemediationStoreError(failure, { cause: error });
    }
    await this.appendEvent(requestId, event);
    return true;
  }

  public async claimResultPost(requestId: string, instanceId: string): Promise<boolean> {
    const now = this.nowSeconds();
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `audit#${requestId}`, sk: `posted#${instanceId}`, at: this.isoNow(), leaseUntil: now + RESULT_POST_LEASE_SECONDS, expiresAt: now + AUDIT_RETENTION_SECONDS },
          // Free when absent, or pending with a lease that ran out (its holder died before posting).
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new RemediationStoreError(`could not claim the result post for ${instanceId}`, { cause: error });
    }
  }

  public async completeResultPost(requestId: string, instanceId: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `audit#${requestId}`, sk: `posted#${instanceId}` },
          UpdateExpression: 'REMOVE leaseUntil',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw new RemediationStoreError(`could not mark the result for ${instanceId} posted`, { cause: error });
    }
  }

  public async isResultPosted(requestId: string, instanceId: string): Promise<boolean> {
    // Not through read(): its expiry filter is for locks and plans, and a posted item is kept with the audit record.
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: `audit#${requestId}`, sk: `posted#${instanceId}` }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw new RemediationStoreError(`could not read the result post for ${instanceId}`, { cause: error });
    }
    return item !== undefined && item.leaseUntil === undefined;
  }

  public async releaseResultPost(requestId: string, instanceId: string): Promise<void> {
    await this.write(() => this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `audit#${requestId}`, sk: `posted#${instanceId}` } })));
  }

  public async closeAudit(requestId: string, outcome: RequestOutcome, detail?: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `audit#${requestId}`, sk: 'request' },
          UpdateExpression: 'SET outcome = :outcome, outcomeDetail = :detail, closedAt = :at, #state = :closed',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(outcome)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':outcome': outcome, ':detail': detail ?? outcome, ':at': this.isoNow(), ':closed': 'closed' },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        await this.leaveInFlight(requestId);
        return false;
      }
      throw new RemediationStoreError(`could not close the audit record ${requestId}`, { cause: error });
    }
    await this.leaveInFlight(requestId);
    await this.appendEvent(requestId, { type: `closed:${outcome}`, ...(detail ? { detail } : {}) });
    return true;
  }

  /** Best effort: an entry left behind is found closed by the sweeper's next run and removed then. */
  private async leaveInFlight(requestId: string): Promise<void> {
    await this.removeInFlight(requestId).catch(() => undefined);
  }

  private async acquireLock(instanceId: string, requestId: string, ttlSeconds: number): Promise<LockResult> {
    const now = this.nowSeconds();
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `lock#${instanceId}`, sk: 'lock', requestId, acquiredAt: this.isoNow(), expiresAt: now + Math.max(1, Math.ceil(ttlSeconds)) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR requestId = :request',
          ExpressionAttributeValues: { ':now': now, ':request': requestId },
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw new RemediationStoreError(`could not lock ${instanceId}`, { cause: error });
    }
    const holder = await this.read({ pk: `lock#${instanceId}`, sk: 'lock' }, lockSchema);
    return { acquired: false, instanceId, heldBy: holder?.requestId ?? 'unknown', since: holder?.acquiredAt ?? 'unknown' };
  }

  private async update(requestId: string, expression: string, values: Record<string, unknown>, names: Record<string, string> = {}): Promise<void> {
    const needsState = expression.includes('#state');
    await this.write(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `audit#${requestId}`, sk: 'request' },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: needsState ? { ...names, '#state': 'state' } : Object.keys(names).length > 0 ? names : undefined,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  private async read<S extends z.ZodType>(key: { pk: string; sk: string }, schema: S): Promise<z.output<S> | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
    } catch (error) {
      throw new RemediationStoreError(`could not read ${key.pk}`, { cause: error });
    }
    if (!item) return undefined;
    // An item past its expiry may still be there (TTL deletion is lazy): treat it as gone.
    if (typeof item.expiresAt === 'number' && item.expiresAt < this.nowSeconds() && !key.pk.startsWith('plan#')) return undefined;
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new RemediationStoreError(`${key.pk} has an unexpected shape: ${parsed.error.message}`, { cause: parsed.error });
    return parsed.data;
  }

  private async write(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      throw new RemediationStoreError('a write to the remediation table failed', { cause: error });
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
