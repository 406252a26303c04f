import type { RemediationStore, StatusMessageRef } from '../../aws/remediation-store-types';
import type { SsmGateway } from '../../aws/ssm-gateway';
import type { AllowTag } from '../../config';
import type { AppLogger } from '../../logger';
import type { FleetRecord } from './fleet-store';
import type { FleetProgressSnapshot } from './progress';
import type { FleetCheckCompletion, FleetCheckPurpose } from './types';

/**
 * What the fleet flow posts, chat-agnostic: the public status message of a rollout (rendered by the chat side from
 * the snapshot), lines in its thread (each failure once, the final summary), and the requester's own answers.
 */
export interface FleetNotifier {
  postStatus(channelId: string, snapshot: FleetProgressSnapshot): Promise<StatusMessageRef>;
  updateStatus(where: StatusMessageRef, snapshot: FleetProgressSnapshot): Promise<void>;
  postInThread(where: StatusMessageRef, text: string): Promise<void>;
  tellRequester(channelId: string, userId: string, text: string): Promise<void>;
}

/**
 * Hands "send wave k" to the remediation worker. The status handler may not send commands (its role has no
 * SendCommand): it schedules the wave, and the worker claims it once before sending.
 */
export interface WaveScheduler {
  scheduleWave(requestId: string, wave: number): Promise<void>;
}

export interface FleetDeps {
  operators: readonly string[];
  allowTag: AllowTag;
  checkDocument: string;
  restartDocument: string;
  ssm: SsmGateway;
  store: RemediationStore;
  logger: AppLogger;
  /** Where completed checks go, per purpose ('restart': the plan card; 'scan': H6's report). */
  completions: Partial<Record<FleetCheckPurpose, FleetCheckCompletion>>;
  notifier?: FleetNotifier;
  waves?: WaveScheduler;
  /** Milliseconds since the epoch. */
  now: () => number;
  newId: (prefix: 'r' | 'p') => string;
}

/** How long a fleet check waits for answers: the check's delivery timeout (10 min) plus its execution (2 min), and margin. */
export const CHECK_GIVE_UP_MS = 20 * 60_000;

/**
 * How long a rollout is tracked: each wave may take the delivery timeout plus the restart's execution timeout (10 + 10
 * minutes), plus the usual margin for an agent that reports late. Locks outlive it by two sweep periods.
 */
export function rolloutGiveUpMs(waves: number): number {
  return 60 * 60_000 + Math.max(0, waves - 1) * 20 * 60_000;
}

/** SendCommand settings for one batch: every id of it at once (a batch is at most one wave's share). */
export function batchRollout(size: number, maxErrors: number): { maxConcurrency: string; maxErrors: string; timeoutSeconds: number } {
  return { maxConcurrency: String(Math.max(1, size)), maxErrors: String(maxErrors), timeoutSeconds: 600 };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The sweeper's first step for a fleet request: every batch command's invocations, as SSM reports them now, go through
 * `record` as their lost events would have. Then: complete, still within its bound, or past it (the caller gives up).
 */
export async function pollLostAnswers(
  deps: Pick<FleetDeps, 'store' | 'ssm'>,
  requestId: string,
  now: number,
  record: (commandId: string, instanceId: string, status: string) => Promise<boolean>,
): Promise<{ state: 'completed' | 'running' } | { state: 'past-bound'; fleet: FleetRecord; minutes: number }> {
  const fleet = await deps.store.getFleet(requestId);
  if (!fleet || fleet.completedAt !== undefined) return { state: 'completed' };
  for (const commandId of fleet.commandIds) {
    for (const invocation of await deps.ssm.listCommandInvocations(commandId)) await record(commandId, invocation.instanceId, invocation.status);
  }
  const after = await deps.store.getFleet(requestId);
  if (!after || after.completedAt !== undefined) return { state: 'completed' };
  if (now < after.giveUpAt) return { state: 'running' };
  return { state: 'past-bound', fleet: after, minutes: Math.round((after.giveUpAt - after.startedAt) / 60_000) };
}
