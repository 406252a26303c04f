import type { AuditRecord, StatusMessageRef } from '../aws/remediation-store-types';
import type { ScriptResult } from '../core/remediation/result-line';
import type { Plan, PlanEvidence, RemediationAction } from '../core/remediation/types';

/**
 * The notifier port of the status path: what the remediation module decided to show, and nothing of how. The chat
 * side (lambda/slack/remediation/status-updates.ts) renders each call and sends it; every method resolves with the
 * plain text it showed (kept in the audit trail) and rejects when it could not show it.
 */
export interface RemediationNotifier {
  /** The public status message is rebuilt from the audit record (cosmetic: a failure is logged, not retried). */
  statusChanged(audit: AuditRecord): Promise<void>;
  /** One instance's result, in the status message's thread. */
  resultReady(where: StatusMessageRef, result: InstanceResult): Promise<string>;
  /** The check before a restart finished: the requester (only) sees its evidence card or why there is none. */
  planReady(audit: AuditRecord, notice: PlanNotice): Promise<string>;
  /** A request that ended without a per-instance result: the reason, in the status message's thread. */
  noticeInThread(where: StatusMessageRef, notice: ThreadNotice): Promise<string>;
}

/** What SSM reported for one instance, with the script's result line parsed. */
export interface InstanceResult {
  action: RemediationAction;
  instanceId: string;
  /** Final SSM status of the invocation, e.g. `Success`, `Failed`, `TimedOut`. */
  status: string;
  statusDetails?: string;
  /** The script's exit code as SSM reports it. */
  responseCode?: number;
  /** Parsed from the result line; undefined when the script printed none (it never started, or was cut off). */
  result?: ScriptResult;
  stderr: string;
}

/** What the requester of a check-first restart is shown once the check is over. */
export type PlanNotice =
  /** The plan expired or was deleted while the check ran: nothing to confirm. */
  | { kind: 'plan-gone'; instanceId: string }
  /** SSM did not report success, or the script printed no readable result line: no restart is offered. */
  | { kind: 'check-unfinished'; instanceId: string; reason: string }
  /** The check finished after the plan was cancelled or confirmed elsewhere. */
  | { kind: 'plan-closed'; instanceId: string; sentence: string }
  /** The measurement, on the plan: Confirm only for what it offers. */
  | { kind: 'evidence'; plan: Plan; evidence: PlanEvidence };

/** Why a request ended without a per-instance result. */
export type ThreadNotice =
  /** The command targeted tags no instance carried. */
  | { kind: 'no-instances-in-tag'; target: string }
  /** The command reached a final status without any invocation. */
  | { kind: 'ran-nowhere'; status: string }
  /** The Confirm died after taking its lock and before SendCommand: nothing ran. */
  | { kind: 'interrupted-before-send'; requestId: string }
  /** The sender died while SendCommand was in flight, or SSM answered in a way that proves nothing. */
  | { kind: 'send-unconfirmed'; requestId: string }
  /** SSM reported no final status within the give-up bound. */
  | { kind: 'lost-track'; commandId: string; minutes: number };

/**
 * Thrown by a notifier when the chat refused or lost a post, saying whether it may have been shown anyway. A post that
 * may have been shown counts as shown (never sent again); one that surely was not is retried only when `retryLater`.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly delivered: 'maybe' | 'no',
    readonly retryLater: boolean,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`the chat ${delivered === 'maybe' ? 'may have shown' : 'did not show'} the message (${reason})`, options);
  }
}
