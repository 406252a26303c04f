import type { RequestOutcome } from '../core/remediation/command-status';
import type { Plan, PlanEvidence, RemediationAction } from '../core/remediation/types';
import type { FleetPhase, FleetStore } from '../remediation/fleet/fleet-store';
import type { ScanStore } from '../remediation/scan/scan-store';

/** Where the public status message of a request lives, so the status handler can update it and reply in its thread. */
export interface StatusMessageRef {
  channel: string;
  ts: string;
}

/** The request as first written: when its plan card is shown, or when it is refused. */
export interface NewAuditRecord {
  requestId: string;
  action: RemediationAction;
  /** As written by the user: `i-…` or `tag:Key=Value`. */
  target: string;
  requestedBy: string;
  channelId: string;
  /** ISO 8601. */
  createdAt: string;
  /** `planned` (plan card shown), then `sent`, then `closed`; `closed` at once for a refusal. */
  state: string;
  instanceIds: string[];
  document?: { name: string; version: string };
  /** A check run first for a restart: its result becomes the evidence on this plan, shown to the requester only. */
  followUp?: { planId: string };
  /** A fleet request (lambda/remediation/fleet/): its status events go to the fleet flow, its state is the fleet item. */
  fleet?: { phase: FleetPhase };
  outcome?: RequestOutcome;
  outcomeDetail?: string;
  closedAt?: string;
}

export interface AuditRecord extends NewAuditRecord {
  commandId?: string;
  statusMessage?: StatusMessageRef;
  /** Latest status per instance, only ever moving forward. */
  instances: Record<string, { status: string; rank: number; at: string }>;
  commandStatus?: { status: string; rank: number; at: string };
}

/** One line of the audit trail. */
export interface AuditEvent {
  /** ISO 8601. */
  at: string;
  /** `confirmed`, `refused`, `sent`, `send-failed`, `instance-status`, `command-status`, `closed:<outcome>`, ... */
  type: string;
  by?: string;
  detail?: string;
}

/**
 * A request whose command was sent and whose outcome is not known yet. The in-flight index is what the sweeper polls
 * when SSM's status events are lost (lambda/slack/remediation/sweep-in-flight.ts).
 */
export interface InFlightRequest {
  requestId: string;
  /** Absent while the command is being sent: an entry left like that means the sender died mid-SendCommand. */
  commandId?: string;
  /** When sending started, then when SendCommand was accepted, in milliseconds since the epoch. */
  sentAt: number;
  /**
   * Without a command id: `preparing` while the Confirm has its lock but has not reached SendCommand (nothing was sent:
   * the sweeper may release the lock), `sending` from the moment SendCommand may have gone out.
   */
  stage?: SendingStage;
}

export type SendingStage = 'preparing' | 'sending';

/**
 * How long a result-post claim stays pending before another invocation may take it over. Longer than the status
 * handler's and the sweeper's timeout (30 s), so a living holder is never overtaken; Lambda's first retry of a failed
 * event comes about a minute later, the sweeper every 5 minutes.
 */
export const RESULT_POST_LEASE_SECONDS = 120;

export type LockResult = { acquired: true } | { acquired: false; instanceId: string; heldBy: string; since: string };

export type PlanClaim =
  | { claimed: true; plan: Plan }
  | { claimed: false; reason: 'missing' | 'expired' | 'already-confirmed' | 'already-cancelled'; by?: string; plan?: Plan };

/**
 * The remediation flow's durable state. Every method that decides a race returns whether this caller won it.
 */
export interface RemediationStore extends FleetStore, ScanStore {
  /** `dynamodb:<table>` or `memory`, for the start-up log. */
  readonly description: string;
  savePlan(plan: Plan): Promise<void>;
  getPlan(planId: string): Promise<Plan | undefined>;
  /** Moves a pending, unexpired plan to `confirmed` or `cancelled`; only the first click wins. */
  claimPlan(planId: string, userId: string, decision: 'confirmed' | 'cancelled'): Promise<PlanClaim>;
  /**
   * Stores a check's evidence on a pending check-first plan and restarts its expiry from now (the card is shown now);
   * false when the plan is gone or no longer pending.
   */
  attachEvidence(planId: string, evidence: PlanEvidence, expiresAt: number): Promise<Plan | undefined>;
  /** One lock per instance; all or none. A held lock names the request holding it. */
  acquireLocks(instanceIds: readonly string[], requestId: string, ttlSeconds: number): Promise<LockResult>;
  /** Releases only locks held by `requestId`; releasing a lock already gone is fine. */
  releaseLocks(instanceIds: readonly string[], requestId: string): Promise<void>;
  createAudit(record: NewAuditRecord): Promise<void>;
  appendEvent(requestId: string, event: Omit<AuditEvent, 'at'>): Promise<void>;
  /**
   * Stores the command id on the audit record, the `command#<id>` pointer for the status handler, and the request on
   * the in-flight index until its audit record is closed.
   */
  recordCommand(requestId: string, commandId: string, document: { name: string; version: string }): Promise<void>;
  setStatusMessage(requestId: string, message: StatusMessageRef): Promise<void>;
  findRequestByCommand(commandId: string): Promise<string | undefined>;
  getAudit(requestId: string): Promise<AuditRecord | undefined>;
  /** The audit trail, oldest first. */
  getEvents(requestId: string): Promise<AuditEvent[]>;
  /** True when `status` moved the instance forward (false for duplicates and late, older statuses). */
  recordInstanceStatus(requestId: string, instanceId: string, status: string): Promise<boolean>;
  recordCommandStatus(requestId: string, status: string): Promise<boolean>;
  /**
   * True for the one caller that may post the result for this instance. The claim is a lease
   * ({@link RESULT_POST_LEASE_SECONDS}) until `completeResultPost`: when the invocation holding it dies before posting
   * (timeout, crash), a later delivery or sweep may take it over, so the result is not lost.
   */
  claimResultPost(requestId: string, instanceId: string): Promise<boolean>;
  /** Marks the result posted: the claim is never taken over again. */
  completeResultPost(requestId: string, instanceId: string): Promise<void>;
  /** True once `completeResultPost` ran; false while a claim is pending (or there is none). */
  isResultPosted(requestId: string, instanceId: string): Promise<boolean>;
  /** Gives the claim back when posting failed, so a redelivered event can post it. */
  releaseResultPost(requestId: string, instanceId: string): Promise<void>;
  /** Sets the outcome once; later calls return false and change nothing. Either way the request leaves the in-flight index. */
  closeAudit(requestId: string, outcome: RequestOutcome, detail?: string): Promise<boolean>;
  /**
   * Puts the request on the in-flight index just before SendCommand, without a command id: if the sender dies before
   * `recordCommand`, the sweeper still finds the request and tells its thread.
   */
  markSending(requestId: string, stage?: SendingStage): Promise<void>;
  /** Requests being sent or with a command sent, and no outcome recorded, oldest first. */
  listInFlight(): Promise<InFlightRequest[]>;
  /** Takes a request off the in-flight index; removing one that is not there is fine. */
  removeInFlight(requestId: string): Promise<void>;
  /** The latest requests, newest first, at most `limit` (App Home's "Recent requests"). */
  listRecentAudits(limit: number): Promise<AuditRecord[]>;
}
