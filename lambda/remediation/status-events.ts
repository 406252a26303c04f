import type { AuditRecord, RemediationStore } from '../aws/remediation-store-types';
import type { SsmGateway } from '../aws/ssm-gateway';
import { parseCommandEvent, type CommandEvent } from '../aws/command-events';
import { isSuccessStatus, isTerminalStatus, normaliseStatus, outcomeOf } from '../core/remediation/command-status';
import { parseResultLine } from '../core/remediation/result-line';
import type { AppLogger } from '../logger';
import type { FleetService } from './fleet/fleet-service';
import type { RemediationNotifier } from './notifier';
import { showEvidence } from './status-evidence';
import { refreshStatus, showOnce } from './status-post-once';

export { claimResult, ResultPostInProgressError } from './status-post-once';

/** What the status path needs: its store, SSM's reads, and something to show what it decided. */
export interface StatusEventDeps {
  store: RemediationStore;
  ssm: Pick<SsmGateway, 'getCommandInvocation' | 'listCommandInvocations'>;
  notifier: RemediationNotifier;
  /** Our two document names: events for any other document are ignored. */
  documents: readonly string[];
  logger: AppLogger;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** The fleet flow (lambda/remediation/fleet/): events of a fleet request (audit `fleet.phase`) go there. */
  fleet?: Pick<FleetService, 'onStatusEvent' | 'sweep'>;
}

/**
 * Thrown when an event names a command whose request is not fully recorded yet (SendCommand answered, but the
 * pointer write has not landed). Failing the invocation makes Lambda retry the event later (async invocation).
 */
export class CommandNotRecordedYetError extends Error {
  public constructor(commandId: string) {
    super(`no request recorded yet for command ${commandId}; retrying later`);
    this.name = 'CommandNotRecordedYetError';
  }
}

/** An event younger than this whose command is unknown is retried; older ones are dropped (not ours or long gone). */
export const UNKNOWN_COMMAND_RETRY_WINDOW_MS = 10 * 60 * 1000;

export type StatusUpdateOutcome = 'invalid' | 'ignored' | 'applied' | 'duplicate';

/**
 * Applies one SSM status event to its request: per-instance status on the public message, the result in its thread on
 * a terminal state (once, even when the event comes twice), lock released, audit record closed.
 *
 * Events may arrive twice or out of order: statuses only move forward (the store's conditional writes decide), each
 * result is claimed before it is posted, and the claim is given back when posting fails so a retry can post it.
 */
export async function applyStatusEvent(raw: unknown, deps: StatusEventDeps): Promise<StatusUpdateOutcome> {
  const parsed = parseCommandEvent(raw);
  if (!parsed.ok) {
    // Not retried: the same bytes would fail again. The rule only sends these two detail types, so this is worth a look.
    deps.logger.error('ignoring an SSM event that does not match the expected shape', { problem: parsed.problem });
    return 'invalid';
  }
  const { event } = parsed;
  if (!deps.documents.includes(event.documentName)) {
    deps.logger.info('ignoring an event for a document that is not ours', { documentName: event.documentName });
    return 'ignored';
  }
  const requestId = await deps.store.findRequestByCommand(event.commandId);
  if (!requestId) {
    const age = (deps.now ?? Date.now)() - Date.parse(event.time);
    if (Number.isFinite(age) && age < UNKNOWN_COMMAND_RETRY_WINDOW_MS) throw new CommandNotRecordedYetError(event.commandId);
    deps.logger.warn('ignoring an event for a command shim-fix has no record of', { commandId: event.commandId, time: event.time });
    return 'ignored';
  }
  const audit = await deps.store.getAudit(requestId);
  if (!audit) {
    deps.logger.error('command pointer without an audit record', { commandId: event.commandId, requestId });
    return 'ignored';
  }
  deps.logger.info('SSM status event', { requestId, commandId: event.commandId, kind: event.kind, status: event.status });
  if (audit.fleet && deps.fleet) return deps.fleet.onStatusEvent(requestId, audit.fleet.phase, event, (commandId) => deps.ssm.listCommandInvocations(commandId));
  return event.kind === 'invocation' ? applyInvocation(event, audit, deps) : applyCommand(event, audit, deps);
}

async function applyInvocation(event: Extract<CommandEvent, { kind: 'invocation' }>, audit: AuditRecord, deps: StatusEventDeps): Promise<StatusUpdateOutcome> {
  const advanced = await deps.store.recordInstanceStatus(audit.requestId, event.instanceId, event.status);
  const terminal = isTerminalStatus(event.status);
  if (!advanced && !terminal) return 'duplicate';
  let changed = advanced;
  if (terminal) {
    // Also on a duplicate: the first delivery may have failed to post, and the claim makes a second post impossible.
    if (await finishInstance(audit, event.commandId, event.instanceId, deps)) changed = true;
    if (!audit.target.startsWith('tag:')) {
      const current = await deps.store.getAudit(audit.requestId);
      const status = current?.instances[event.instanceId]?.status ?? event.status;
      if (await deps.store.closeAudit(audit.requestId, outcomeOf([status]), `${event.instanceId}: ${status}`)) changed = true;
    }
  }
  // A duplicate that changed nothing would render the same message again: no status update for it.
  if (changed) await refreshStatus(audit.requestId, deps);
  return advanced ? 'applied' : 'duplicate';
}

async function applyCommand(event: Extract<CommandEvent, { kind: 'command' }>, audit: AuditRecord, deps: StatusEventDeps): Promise<StatusUpdateOutcome> {
  const advanced = await deps.store.recordCommandStatus(audit.requestId, event.status);
  if (!isTerminalStatus(event.status)) {
    if (advanced) await refreshStatus(audit.requestId, deps);
    return advanced ? 'applied' : 'duplicate';
  }
  let changed = advanced;
  // The command is over: fill in invocations whose own events were lost or are still on their way.
  const invocations = await deps.ssm.listCommandInvocations(event.commandId);
  for (const invocation of invocations) {
    if (await deps.store.recordInstanceStatus(audit.requestId, invocation.instanceId, invocation.status)) changed = true;
    if (isTerminalStatus(invocation.status) && (await finishInstance(audit, event.commandId, invocation.instanceId, deps))) changed = true;
  }
  if (invocations.length === 0 && audit.statusMessage) {
    const where = audit.statusMessage;
    const notice = normaliseStatus(event.status) === 'NoInstancesInTag' ? { kind: 'no-instances-in-tag' as const, target: audit.target } : { kind: 'ran-nowhere' as const, status: event.status };
    await showOnce(deps, audit.requestId, 'command', () => deps.notifier.noticeInThread(where, notice));
  }
  if (audit.action === 'restart') {
    await deps.store.releaseLocks([...new Set([...audit.instanceIds, ...invocations.map((invocation) => invocation.instanceId)])], audit.requestId);
  }
  const outcome =
    invocations.length > 0 ? outcomeOf(invocations.map((invocation) => invocation.status)) : isSuccessStatus(event.status) ? 'succeeded' : 'failed';
  if (await deps.store.closeAudit(audit.requestId, outcome, `command ${normaliseStatus(event.status)}`)) changed = true;
  if (changed) await refreshStatus(audit.requestId, deps);
  return advanced ? 'applied' : 'duplicate';
}

/** Posts the instance's result once and releases its lock; true when this call posted it. */
async function finishInstance(audit: AuditRecord, commandId: string, instanceId: string, deps: StatusEventDeps): Promise<boolean> {
  if (audit.followUp) return showEvidence(audit, audit.followUp.planId, commandId, instanceId, deps);
  let posted = false;
  const where = audit.statusMessage;
  if (where) {
    const text = await showOnce(deps, audit.requestId, instanceId, async () => {
      const invocation = await deps.ssm.getCommandInvocation(commandId, instanceId);
      return deps.notifier.resultReady(where, {
        action: audit.action,
        instanceId,
        status: invocation.status,
        ...(invocation.statusDetails ? { statusDetails: invocation.statusDetails } : {}),
        ...(invocation.responseCode !== undefined ? { responseCode: invocation.responseCode } : {}),
        result: parseResultLine(invocation.stdout),
        stderr: invocation.stderr,
      });
    });
    if (text !== undefined) {
      await deps.store.appendEvent(audit.requestId, { type: 'result-posted', detail: `${instanceId}: ${text}`.slice(0, 1000) });
      posted = true;
    }
  }
  if (audit.action === 'restart') await deps.store.releaseLocks([instanceId], audit.requestId);
  return posted;
}
