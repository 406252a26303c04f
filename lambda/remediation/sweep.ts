import type { AuditRecord, InFlightRequest } from '../aws/remediation-store-types';
import { COMMAND_DETAIL_TYPE, INVOCATION_DETAIL_TYPE } from '../aws/command-events';
import { isSuccessStatus, isTerminalStatus } from '../core/remediation/command-status';
import { AwsCallError } from '../core/remediation/errors';
import { GIVE_UP_BASE_MS, GIVE_UP_PER_EXTRA_INSTANCE_MS, SWEEP_SCHEDULE_MINUTES, giveUpAfterMs } from './bounds';
import type { ThreadNotice } from './notifier';
import { applyStatusEvent, type StatusEventDeps } from './status-events';
import { refreshStatus, showOnce } from './status-post-once';

/**
 * The fallback for lost EventBridge events: a scheduled run (infra: every {@link SWEEP_SCHEDULE_MINUTES} minutes) looks
 * at the requests still in flight, asks SSM how their commands ended (GetCommandInvocation for one instance,
 * ListCommandInvocations for a fleet) and feeds what it learns through the status path, as if the event had arrived:
 * same result, same lock release, same audit record, and the same duplicate protection (a late real event changes
 * nothing). A request SSM still reports as running after the bound is given up: the thread says so, the audit record
 * is closed `unknown` and the locks are released.
 */
export interface SweepOptions {
  /**
   * Requests younger than this are left to their events, which normally arrive within seconds.
   * @default 5 minutes
   */
  pollAfterMs?: number;
  /**
   * A single instance is given up this long after its command was sent. The instance lock outlives this bound
   * (lambda/remediation/bounds.ts), so a second restart is refused for as long as this one is tracked.
   * @default 60 minutes
   */
  giveUpAfterMs?: number;
  /**
   * Added to the bound per instance after the first: a fleet rolls out wave by wave (at worst one at a time), and the
   * service's lock TTL grows by the same slot per wave.
   * @default 5 minutes
   */
  giveUpPerExtraInstanceMs?: number;
}

export { SWEEP_SCHEDULE_MINUTES };
export const SWEEP_DEFAULTS: Required<SweepOptions> = { pollAfterMs: 5 * 60_000, giveUpAfterMs: GIVE_UP_BASE_MS, giveUpPerExtraInstanceMs: GIVE_UP_PER_EXTRA_INSTANCE_MS };

export interface SweepReport {
  /** In flight but too young to poll. */
  waiting: number;
  /** Finished through the status path from what SSM reported. */
  completed: number;
  /** Still running according to SSM, within the bound. */
  running: number;
  /** Past the bound: closed `unknown`. */
  givenUp: number;
  /** The sender died mid-SendCommand (no command id was ever recorded): closed `unknown`, locks kept. */
  interrupted: number;
  /** Already closed (a real event got there): taken off the index. */
  alreadyClosed: number;
  /** Could not be polled this time (SSM or DynamoDB failed); the next run tries again. */
  failed: number;
}

type Verdict = 'completed' | 'running' | 'givenUp' | 'interrupted' | 'alreadyClosed';

/**
 * One sweep. Never throws for one bad request: each is tried on its own, and a failure waits for the next run.
 *
 * @example
 * const report = await sweep(statusEventDeps);
 */
export async function sweep(deps: StatusEventDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const settings = { ...SWEEP_DEFAULTS, ...options };
  const now = (deps.now ?? Date.now)();
  const report: SweepReport = { waiting: 0, completed: 0, running: 0, givenUp: 0, interrupted: 0, alreadyClosed: 0, failed: 0 };
  for (const entry of await deps.store.listInFlight()) {
    if (now - entry.sentAt < settings.pollAfterMs) {
      report.waiting += 1;
      continue;
    }
    try {
      report[await sweepOne(entry, now, settings, deps)] += 1;
    } catch (error) {
      report.failed += 1;
      deps.logger.warn('could not sweep an in-flight request; the next run tries again', { requestId: entry.requestId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  if (report.completed + report.givenUp + report.interrupted + report.failed > 0) deps.logger.info('in-flight sweep', { event: 'inflight_sweep', ...report });
  return report;
}

async function sweepOne(entry: InFlightRequest, now: number, settings: Required<SweepOptions>, deps: StatusEventDeps): Promise<Verdict> {
  const audit = await deps.store.getAudit(entry.requestId);
  if (!audit || audit.outcome !== undefined) {
    await deps.store.removeInFlight(entry.requestId);
    return 'alreadyClosed';
  }
  // A fleet request has many commands and its own bound: the fleet flow polls and gives it up (lambda/remediation/fleet/).
  if (audit.fleet && deps.fleet) return deps.fleet.sweep(entry.requestId, audit.fleet.phase, now);
  const { commandId } = entry;
  if (commandId === undefined && entry.stage === 'preparing') {
    // The Confirm took its lock and died before SendCommand (its timeout is 10 s, this entry is minutes old): nothing
    // was sent, so the instance is freed and the request closed `not-sent`.
    await closeUnknown(audit, deps, {
      claimKey: 'interrupted',
      notice: { kind: 'interrupted-before-send', requestId: audit.requestId },
      detail: 'interrupted before SendCommand: nothing was sent',
      releaseLocks: true,
      outcome: 'not-sent',
    });
    deps.logger.error('in-flight request interrupted before sending', { requestId: audit.requestId });
    return 'interrupted';
  }
  if (commandId === undefined) {
    // Marked as sending, never recorded: the Slack handler died while SendCommand was in flight (its timeout is 10 s,
    // this entry is minutes old), or SSM answered in a way that proves nothing (5xx, network error, unreadable 200).
    // Whether SSM ran it is unknown, so the lock stays until it expires.
    await closeUnknown(audit, deps, {
      claimKey: 'interrupted',
      notice: { kind: 'send-unconfirmed', requestId: audit.requestId },
      detail: 'interrupted while sending the command: no command id was recorded',
      releaseLocks: false,
    });
    deps.logger.error('in-flight request interrupted while sending', { requestId: audit.requestId });
    return 'interrupted';
  }
  const statuses = await pollStatuses(commandId, audit, deps);
  const finished = statuses.filter(({ status }) => isTerminalStatus(status));
  // Each finished invocation goes through the status path as its event would have.
  for (const { instanceId, status } of finished) {
    await applyStatusEvent(syntheticInvocationEvent(commandId, audit, instanceId, status, now), deps);
  }
  if (statuses.length > 0 && finished.length === statuses.length) {
    // The whole command is over: the command event closes a fleet's request (a single instance is closed already).
    const status = finished.every(({ status: each }) => isSuccessStatus(each)) ? 'Success' : 'Failed';
    await applyStatusEvent(syntheticCommandEvent(commandId, audit, status, now), deps);
    deps.logger.info('in-flight request completed from SSM', { requestId: entry.requestId, commandId, status });
    return 'completed';
  }
  const bound = giveUpAfterMs(audit.instanceIds.length, settings.giveUpAfterMs, settings.giveUpPerExtraInstanceMs);
  if (now - entry.sentAt < bound) return 'running';
  const minutes = Math.round(bound / 60_000);
  deps.logger.error('giving up on an in-flight request', { requestId: entry.requestId, commandId, minutes });
  await closeUnknown(audit, deps, {
    claimKey: 'gave-up',
    notice: { kind: 'lost-track', commandId, minutes },
    detail: `no final status from SSM within ${minutes} minutes of sending command ${commandId}`,
    // The lock outlives the bound by two sweep periods; giving up is what frees the instance.
    releaseLocks: true,
  });
  return 'givenUp';
}

/** What SSM reports now, per instance. An invocation SSM does not know (yet) counts as pending. */
async function pollStatuses(commandId: string, audit: AuditRecord, deps: StatusEventDeps): Promise<{ instanceId: string; status: string }[]> {
  if (audit.target.startsWith('tag:')) {
    return (await deps.ssm.listCommandInvocations(commandId)).map(({ instanceId, status }) => ({ instanceId, status }));
  }
  return Promise.all(
    audit.instanceIds.map(async (instanceId) => {
      try {
        return { instanceId, status: (await deps.ssm.getCommandInvocation(commandId, instanceId)).status };
      } catch (error) {
        if (error instanceof AwsCallError && error.awsName === 'InvocationDoesNotExist') return { instanceId, status: 'Pending' };
        throw error;
      }
    }),
  );
}

/** Tells the thread (once), optionally releases the locks, closes the audit record (`unknown` unless told) and refreshes the status. */
async function closeUnknown(
  audit: AuditRecord,
  deps: StatusEventDeps,
  how: { claimKey: string; notice: ThreadNotice; detail: string; releaseLocks: boolean; outcome?: 'unknown' | 'not-sent' },
): Promise<void> {
  const where = audit.statusMessage;
  if (where) await showOnce(deps, audit.requestId, how.claimKey, () => deps.notifier.noticeInThread(where, how.notice));
  if (how.releaseLocks && audit.action === 'restart') await deps.store.releaseLocks(audit.instanceIds, audit.requestId);
  await deps.store.closeAudit(audit.requestId, how.outcome ?? 'unknown', how.detail);
  await refreshStatus(audit.requestId, deps);
}

function syntheticInvocationEvent(commandId: string, audit: AuditRecord, instanceId: string, status: string, now: number) {
  return {
    id: `sweep-${commandId}-${instanceId}-${status}`,
    'detail-type': INVOCATION_DETAIL_TYPE,
    source: 'aws.ssm',
    time: new Date(now).toISOString(),
    detail: { 'command-id': commandId, 'document-name': audit.document?.name ?? '', 'instance-id': instanceId, status },
  };
}

function syntheticCommandEvent(commandId: string, audit: AuditRecord, status: string, now: number) {
  return {
    id: `sweep-${commandId}-${status}`,
    'detail-type': COMMAND_DETAIL_TYPE,
    source: 'aws.ssm',
    time: new Date(now).toISOString(),
    detail: { 'command-id': commandId, 'document-name': audit.document?.name ?? '', status },
  };
}
