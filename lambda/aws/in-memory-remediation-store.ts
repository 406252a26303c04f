import { statusRank, type RequestOutcome } from '../core/remediation/command-status';
import type { Plan, PlanEvidence } from '../core/remediation/types';
import { OUTCOME_COUNTER, type FleetOutcome, type FleetRecord, type NewFleetRecord } from '../remediation/fleet/fleet-store';
import { fleetTableOf, type FleetTableView } from '../remediation/fleet/fleet-table';
import type { FleetFinding } from '../remediation/fleet/types';
import { lastScanOf, type ScanRecord } from '../remediation/scan/scan-report';
import type { LastScanRecord } from '../remediation/scan/scan-store';
import { RESULT_POST_LEASE_SECONDS, type AuditEvent, type AuditRecord, type InFlightRequest, type LockResult, type NewAuditRecord, type PlanClaim, type RemediationStore, type SendingStage, type StatusMessageRef } from './remediation-store-types';

interface StoredPlan {
  plan: Plan;
  state: 'pending' | 'confirmed' | 'cancelled';
  decidedBy?: string;
}

/**
 * For local runs (`npm run serve`, `npm run dev`) without SHIM_FIX_TABLE: the same rules as the DynamoDB store, kept in
 * this process only (lost on restart, not shared between processes). The start-up log says so.
 */
export class InMemoryRemediationStore implements RemediationStore {
  public readonly description = 'memory';
  private readonly plans = new Map<string, StoredPlan>();
  private readonly locks = new Map<string, { requestId: string; acquiredAt: string; expiresAt: number }>();
  private readonly audits = new Map<string, AuditRecord>();
  private readonly events = new Map<string, AuditEvent[]>();
  private readonly commands = new Map<string, string>();
  /** Result-post claims: the lease end (seconds) while pending, `undefined` once posted. */
  private readonly posted = new Map<string, number | undefined>();
  private readonly inFlight = new Map<string, InFlightRequest>();
  private readonly fleets = new Map<string, { record: FleetRecord; findings: Map<string, FleetFinding>; outcomes: Map<string, FleetOutcome>; waves: Set<number> }>();
  private readonly scans = new Map<string, ScanRecord>();
  private lastScan: LastScanRecord | undefined;
  private readonly now: () => number;

  public constructor({ now = Date.now }: { now?: () => number } = {}) {
    this.now = now;
  }

  public async saveScan(record: ScanRecord): Promise<void> {
    this.scans.set(record.scanId, structuredClone(record));
    // As the table's condition: a scan that completed earlier never replaces a later one.
    if (this.lastScan === undefined || this.lastScan.completedAt < record.completedAt) this.lastScan = lastScanOf(structuredClone(record));
  }

  public async getScan(scanId: string): Promise<ScanRecord | undefined> {
    const record = this.scans.get(scanId);
    return record ? structuredClone(record) : undefined;
  }

  public async getLastScan(): Promise<LastScanRecord | undefined> {
    return this.lastScan ? structuredClone(this.lastScan) : undefined;
  }

  public async savePlan(plan: Plan): Promise<void> {
    if (this.plans.has(plan.planId)) throw new Error(`plan ${plan.planId} exists`);
    this.plans.set(plan.planId, { plan: structuredClone(plan), state: 'pending' });
  }

  public async getPlan(planId: string): Promise<Plan | undefined> {
    const stored = this.plans.get(planId);
    return stored ? structuredClone(stored.plan) : undefined;
  }

  public async attachEvidence(planId: string, evidence: PlanEvidence, expiresAt: number): Promise<Plan | undefined> {
    const stored = this.plans.get(planId);
    if (!stored || stored.state !== 'pending') return undefined;
    stored.plan = { ...stored.plan, evidence: structuredClone(evidence), expiresAt };
    return structuredClone(stored.plan);
  }

  public async claimPlan(planId: string, userId: string, decision: 'confirmed' | 'cancelled'): Promise<PlanClaim> {
    const stored = this.plans.get(planId);
    if (!stored) return { claimed: false, reason: 'missing' };
    const plan = structuredClone(stored.plan);
    if (stored.state !== 'pending') {
      return { claimed: false, reason: stored.state === 'confirmed' ? 'already-confirmed' : 'already-cancelled', ...(stored.decidedBy ? { by: stored.decidedBy } : {}), plan };
    }
    if (stored.plan.expiresAt < this.nowSeconds()) return { claimed: false, reason: 'expired', plan };
    stored.state = decision;
    stored.decidedBy = userId;
    return { claimed: true, plan };
  }

  public async acquireLocks(instanceIds: readonly string[], requestId: string, ttlSeconds: number): Promise<LockResult> {
    const now = this.nowSeconds();
    for (const instanceId of [...instanceIds].sort()) {
      const held = this.locks.get(instanceId);
      if (held && held.expiresAt >= now && held.requestId !== requestId) {
        return { acquired: false, instanceId, heldBy: held.requestId, since: held.acquiredAt };
      }
    }
    for (const instanceId of instanceIds) {
      this.locks.set(instanceId, { requestId, acquiredAt: this.isoNow(), expiresAt: now + Math.max(1, Math.ceil(ttlSeconds)) });
    }
    return { acquired: true };
  }

  public async releaseLocks(instanceIds: readonly string[], requestId: string): Promise<void> {
    for (const instanceId of instanceIds) {
      if (this.locks.get(instanceId)?.requestId === requestId) this.locks.delete(instanceId);
    }
  }

  public async createAudit(record: NewAuditRecord): Promise<void> {
    if (this.audits.has(record.requestId)) throw new Error(`audit ${record.requestId} exists`);
    this.audits.set(record.requestId, { ...structuredClone(record), instances: {} });
    await this.appendEvent(record.requestId, { type: record.state, by: record.requestedBy, ...(record.outcomeDetail ? { detail: record.outcomeDetail } : {}) });
  }

  public async appendEvent(requestId: string, event: Omit<AuditEvent, 'at'>): Promise<void> {
    const list = this.events.get(requestId) ?? [];
    const clean = Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)) as Omit<AuditEvent, 'at'>;
    list.push({ at: this.isoNow(), ...clean });
    this.events.set(requestId, list);
  }

  public async recordCommand(requestId: string, commandId: string, document: { name: string; version: string }): Promise<void> {
    this.commands.set(commandId, requestId);
    const audit = this.audit(requestId);
    audit.commandId = commandId;
    audit.document = document;
    audit.state = 'sent';
    this.inFlight.set(requestId, { requestId, commandId, sentAt: this.now() });
    await this.appendEvent(requestId, { type: 'sent', detail: `command ${commandId}, ${document.name} version ${document.version}` });
  }

  public async setStatusMessage(requestId: string, message: StatusMessageRef): Promise<void> {
    this.audit(requestId).statusMessage = { ...message };
  }

  public async findRequestByCommand(commandId: string): Promise<string | undefined> {
    return this.commands.get(commandId);
  }

  public async getAudit(requestId: string): Promise<AuditRecord | undefined> {
    const audit = this.audits.get(requestId);
    return audit ? structuredClone(audit) : undefined;
  }

  public async listRecentAudits(limit: number): Promise<AuditRecord[]> {
    return [...this.audits.values()]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.requestId.localeCompare(a.requestId))
      .slice(0, limit)
      .map((audit) => structuredClone(audit));
  }

  public async getEvents(requestId: string): Promise<AuditEvent[]> {
    return structuredClone(this.events.get(requestId) ?? []);
  }

  public async recordInstanceStatus(requestId: string, instanceId: string, status: string): Promise<boolean> {
    const audit = this.audits.get(requestId);
    if (!audit) return false;
    const rank = statusRank(status);
    const current = audit.instances[instanceId];
    if (current && current.rank >= rank) return false;
    audit.instances[instanceId] = { status, rank, at: this.isoNow() };
    await this.appendEvent(requestId, { type: 'instance-status', detail: `${instanceId}: ${status}` });
    return true;
  }

  public async recordCommandStatus(requestId: string, status: string): Promise<boolean> {
    const audit = this.audits.get(requestId);
    if (!audit) return false;
    const rank = statusRank(status);
    if (audit.commandStatus && audit.commandStatus.rank >= rank) return false;
    audit.commandStatus = { status, rank, at: this.isoNow() };
    await this.appendEvent(requestId, { type: 'command-status', detail: status });
    return true;
  }

  public async claimResultPost(requestId: string, instanceId: string): Promise<boolean> {
    const key = `${requestId}#${instanceId}`;
    const now = this.nowSeconds();
    if (this.posted.has(key)) {
      const leaseUntil = this.posted.get(key);
      if (leaseUntil === undefined || leaseUntil >= now) return false;
    }
    this.posted.set(key, now + RESULT_POST_LEASE_SECONDS);
    return true;
  }

  public async completeResultPost(requestId: string, instanceId: string): Promise<void> {
    const key = `${requestId}#${instanceId}`;
    if (this.posted.has(key)) this.posted.set(key, undefined);
  }

  public async isResultPosted(requestId: string, instanceId: string): Promise<boolean> {
    const key = `${requestId}#${instanceId}`;
    return this.posted.has(key) && this.posted.get(key) === undefined;
  }

  public async releaseResultPost(requestId: string, instanceId: string): Promise<void> {
    this.posted.delete(`${requestId}#${instanceId}`);
  }

  public async closeAudit(requestId: string, outcome: RequestOutcome, detail?: string): Promise<boolean> {
    this.inFlight.delete(requestId);
    const audit = this.audits.get(requestId);
    if (!audit || audit.outcome !== undefined) return false;
    audit.outcome = outcome;
    audit.outcomeDetail = detail ?? outcome;
    audit.closedAt = this.isoNow();
    audit.state = 'closed';
    await this.appendEvent(requestId, { type: `closed:${outcome}`, ...(detail ? { detail } : {}) });
    return true;
  }

  public async markSending(requestId: string, stage: SendingStage = 'sending'): Promise<void> {
    this.inFlight.set(requestId, { requestId, sentAt: this.now(), stage });
  }

  public async listInFlight(): Promise<InFlightRequest[]> {
    return [...this.inFlight.values()].sort((a, b) => a.sentAt - b.sentAt).map((entry) => ({ ...entry }));
  }

  public async removeInFlight(requestId: string): Promise<void> {
    this.inFlight.delete(requestId);
  }

  public async createFleet(record: NewFleetRecord): Promise<void> {
    if (this.fleets.has(record.requestId)) throw new Error(`fleet ${record.requestId} exists`);
    const stored: FleetRecord = { ...structuredClone(record), reported: 0, commandIds: [], done: 0, failed: 0, skipped: 0, unknown: 0, waveSent: {}, waveEnded: {} };
    this.fleets.set(record.requestId, { record: stored, findings: new Map(), outcomes: new Map(), waves: new Set() });
  }

  public async getFleet(requestId: string): Promise<FleetRecord | undefined> {
    const fleet = this.fleets.get(requestId);
    return fleet ? structuredClone(fleet.record) : undefined;
  }

  public async addFleetCommand(requestId: string, commandId: string): Promise<void> {
    this.commands.set(commandId, requestId);
    this.fleet(requestId).record.commandIds.push(commandId);
    await this.appendEvent(requestId, { type: 'sent', detail: `command ${commandId}` });
  }

  public async recordFinding(requestId: string, finding: FleetFinding): Promise<FleetRecord | undefined> {
    const fleet = this.fleet(requestId);
    if (fleet.findings.has(finding.instanceId)) return undefined;
    fleet.findings.set(finding.instanceId, structuredClone(finding));
    fleet.record.reported += 1;
    return structuredClone(fleet.record);
  }

  public async listFindings(requestId: string): Promise<FleetFinding[]> {
    return [...(this.fleets.get(requestId)?.findings.values() ?? [])].map((finding) => structuredClone(finding)).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  public async recordOutcome(requestId: string, outcome: FleetOutcome): Promise<FleetRecord | undefined> {
    const fleet = this.fleet(requestId);
    if (fleet.outcomes.has(outcome.instanceId)) return undefined;
    fleet.outcomes.set(outcome.instanceId, structuredClone(outcome));
    const { record } = fleet;
    record.reported += 1;
    record[OUTCOME_COUNTER[outcome.outcome]] += 1;
    if (outcome.sent) record.waveEnded[outcome.wave] = (record.waveEnded[outcome.wave] ?? 0) + 1;
    await this.appendEvent(requestId, { type: 'instance-outcome', detail: `${outcome.instanceId}: ${outcome.outcome} (${outcome.detail})`.slice(0, 1000) });
    return structuredClone(record);
  }

  public async listOutcomes(requestId: string): Promise<FleetOutcome[]> {
    return [...(this.fleets.get(requestId)?.outcomes.values() ?? [])].map((outcome) => structuredClone(outcome)).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  public async claimWave(requestId: string, wave: number): Promise<boolean> {
    const fleet = this.fleet(requestId);
    if (fleet.waves.has(wave)) return false;
    fleet.waves.add(wave);
    await this.appendEvent(requestId, { type: 'wave-claimed', detail: `wave ${wave}` });
    return true;
  }

  public async setWaveSent(requestId: string, wave: number, sent: number): Promise<FleetRecord> {
    const fleet = this.fleet(requestId);
    fleet.record.waveSent[wave] = sent;
    return structuredClone(fleet.record);
  }

  public async haltFleet(requestId: string, reason: string): Promise<boolean> {
    const { record } = this.fleet(requestId);
    if (record.haltedReason !== undefined) return false;
    record.haltedReason = reason;
    await this.appendEvent(requestId, { type: 'halted', detail: reason.slice(0, 1000) });
    return true;
  }

  public async claimFleetCompletion(requestId: string): Promise<boolean> {
    const { record } = this.fleet(requestId);
    if (record.completedAt !== undefined) return false;
    record.completedAt = this.isoNow();
    return true;
  }

  public async claimProgressRender(requestId: string, readAt: number | undefined, now: number, finished: boolean): Promise<boolean> {
    const { record } = this.fleet(requestId);
    if (record.progressFinalRendered) return false;
    if (!finished && record.progressRenderedAt !== readAt) return false;
    record.progressRenderedAt = now;
    if (finished) record.progressFinalRendered = true;
    return true;
  }

  /** H8's per-instance table port (fleet-table-listener.ts). */
  public async readFleetTable(requestId: string): Promise<FleetTableView | undefined> {
    const fleet = this.fleets.get(requestId);
    if (!fleet) return undefined;
    return fleetTableOf(fleet.record, [...fleet.outcomes.values()], [...fleet.findings.values()]);
  }

  private fleet(requestId: string) {
    const fleet = this.fleets.get(requestId);
    if (!fleet) throw new Error(`no fleet request ${requestId}`);
    return fleet;
  }

  private audit(requestId: string): AuditRecord {
    const audit = this.audits.get(requestId);
    if (!audit) throw new Error(`no audit record ${requestId}`);
    return audit;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}
