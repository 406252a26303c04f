import type { FleetTableView } from './fleet-table';
import type { FleetCheckPurpose, FleetFinding } from './types';

/**
 * The fleet flow's durable state, one port implemented by both remediation stores (DynamoDB and memory; the contract
 * test runs against both). Every method that decides a race returns whether this caller won it.
 *
 * Items (DynamoDB, the shared table): `fleet#<requestId>` / `fleet` (the request: instances, waves, counters, progress
 * claim), `…` / `finding#<instanceId>` (one check finding per instance, written once), `…` / `outcome#<instanceId>`
 * (one restart outcome per instance, written once), `…` / `wave#<k>` (wave k sent once), and the usual
 * `command#<commandId>` pointer per SendCommand batch.
 */

/** `check`: every instance is checked first; `restart`: the confirmed rollout in waves. */
export type FleetPhase = 'check' | 'restart';

/** What happened to one instance of a restart rollout. */
export type FleetOutcomeKind = 'restarted' | 'failed' | 'skipped' | 'unknown';

/** Which counter of the fleet request an outcome moves. */
export const OUTCOME_COUNTER = { restarted: 'done', failed: 'failed', skipped: 'skipped', unknown: 'unknown' } as const satisfies Record<FleetOutcomeKind, string>;

export interface FleetOutcome {
  instanceId: string;
  /** 1-based wave the instance belongs to. */
  wave: number;
  outcome: FleetOutcomeKind;
  /** One short line: SSM's status, the script's sentence, `locked by request r-…`, `stopped after the first failure`. */
  detail: string;
  /** True when a command was sent to it (its outcome ends its wave); false for skipped and unsent hosts. */
  sent: boolean;
}

export interface NewFleetRecord {
  requestId: string;
  phase: FleetPhase;
  purpose: FleetCheckPurpose;
  /** As shown to people (`tag:team=payments`, …). */
  target: string;
  channelId: string;
  requestedBy?: string;
  /** Every instance of this request, sorted (check: all checked; restart: the ones Confirm selected). */
  instanceIds: string[];
  /** ISO 8601. */
  createdAt: string;
  /** Epoch ms: when sending started. */
  startedAt: number;
  /** Epoch ms after which the sweeper stops waiting: missing answers count as unreachable (check) or unknown (restart). */
  giveUpAt: number;
  /** Restart: the check request whose findings selected the instances. */
  checkRequestId?: string;
  /** Restart: the waves, in order (1-based on the wire: `waves[0]` is wave 1). */
  waves: string[][];
  /** Restart: the instances sent with AllowStoppingContainers=yes (the operator included them explicitly). */
  withDocker: string[];
  /** Restart: failures tolerated before the rollout stops (0: the first failure stops it). */
  maxFailures: number;
  /** The document version the card pinned: the restart document for purpose `restart` (sent after Confirm). */
  document?: { name: string; version: string };
}

export interface FleetRecord extends NewFleetRecord {
  /** Instances with a finding (check) or an outcome (restart): each counted once. */
  reported: number;
  commandIds: string[];
  done: number;
  failed: number;
  skipped: number;
  unknown: number;
  /** Per wave (1-based): hosts a command was sent to, once the wave's sends are over. */
  waveSent: Record<number, number>;
  /** Per wave: sent hosts with an outcome. */
  waveEnded: Record<number, number>;
  haltedReason?: string;
  /** Set once, by whoever completed the request (check: the plan card or the scan report; restart: the summary). */
  completedAt?: string;
  /** Epoch ms of the last status-message render (lambda/remediation/fleet/progress.ts). */
  progressRenderedAt?: number;
  progressFinalRendered?: boolean;
}

export interface FleetStore {
  createFleet(record: NewFleetRecord): Promise<void>;
  getFleet(requestId: string): Promise<FleetRecord | undefined>;
  /** The `command#<id>` pointer for the status handler, and the command on the request's list (for the sweeper). */
  addFleetCommand(requestId: string, commandId: string): Promise<void>;
  /** Records the instance's finding once; the request after counting it, or undefined when it was already recorded. */
  recordFinding(requestId: string, finding: FleetFinding): Promise<FleetRecord | undefined>;
  listFindings(requestId: string): Promise<FleetFinding[]>;
  /** Records the instance's outcome once (counters and its wave's end count move with it); undefined for a repeat. */
  recordOutcome(requestId: string, outcome: FleetOutcome): Promise<FleetRecord | undefined>;
  listOutcomes(requestId: string): Promise<FleetOutcome[]>;
  /** True for the one caller that sends wave `wave`. */
  claimWave(requestId: string, wave: number): Promise<boolean>;
  /** Stores how many hosts wave `wave` was sent to; returns the request after it (to see whether it already ended). */
  setWaveSent(requestId: string, wave: number, sent: number): Promise<FleetRecord>;
  /** Stops the rollout once: true for the caller that set the reason. */
  haltFleet(requestId: string, reason: string): Promise<boolean>;
  /** True for the one caller that completes the request (posts the card, the report or the summary). */
  claimFleetCompletion(requestId: string): Promise<boolean>;
  /**
   * Claims a render of the status message against the last one read (`readAt`): see progress.ts. A final render
   * claims against any earlier render but only once.
   */
  claimProgressRender(requestId: string, readAt: number | undefined, now: number, finished: boolean): Promise<boolean>;
  /** Every instance with its outcome or finding so far (H8's per-instance table button); undefined for no such request. */
  readFleetTable(requestId: string): Promise<FleetTableView | undefined>;
}
