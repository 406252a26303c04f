import type { KnownBlock } from '@slack/types';
import type { AuditRecord, RemediationStore } from '../../aws/remediation-store-types';
import type { SsmGateway } from '../../aws/ssm-gateway';
import { parseCommandEvent, type CommandEvent } from '../../aws/command-events';
import { isSuccessStatus, isTerminalStatus, normaliseStatus, outcomeOf } from '../../core/remediation/command-status';
import { parseResultLine } from '../../core/remediation/result-line';
import type { AppLogger } from '../../logger';
import type { Plan, PlanEvidence } from '../../core/remediation/types';
import { ACTIONS, offeredActions } from '../../remediation/actions';
import { evidenceOf } from '../../remediation/evidence';
import type { SlackMessage } from '../blocks/limits';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { buildEvidenceCard } from './evidence-card';
import { buildPlanOutcome } from './plan-card';
import { buildResultMessage } from './result-message';
import { buildStatusMessage } from './status-message';

/** The Web API calls the status path makes (a WebClient's `chat` fits). */
export interface ChatWriter {
  update(args: { channel: string; ts: string; text: string; blocks: KnownBlock[] }): Promise<unknown>;
  postMessage(args: { channel: string; thread_ts: string; text: string; blocks: KnownBlock[] }): Promise<unknown>;
  /** The plan card of a check-first restart goes to the requester only. */
  postEphemeral?(args: { channel: string; user: string; text: string; blocks: KnownBlock[] }): Promise<unknown>;
}

export interface StatusUpdateDeps {
  store: RemediationStore;
  ssm: Pick<SsmGateway, 'getCommandInvocation' | 'listCommandInvocations'>;
  chat: ChatWriter;
  /** Our two document names: events for any other document are ignored. */
  documents: readonly string[];
  logger: AppLogger;
  /** Offer the Restart button under a check that found a stale daemon. */
  offerRestart: boolean;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
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

/**
 * Thrown when a result is due but another invocation holds its claim without having posted it: either it is posting
 * right now, or it died before posting (timeout, crash) and its lease has not run out yet. Failing makes Lambda retry
 * the event later (and the sweeper keeps the request in flight), so the result is posted once the lease has run out
 * instead of being lost; the audit record stays open until then.
 */
export class ResultPostInProgressError extends Error {
  public constructor(requestId: string, instanceId: string) {
    super(`the result for ${instanceId} of ${requestId} is claimed but not posted yet; retrying later`);
    this.name = 'ResultPostInProgressError';
  }
}

/**
 * Claims the result post of `key`; false when it was already posted. Throws {@link ResultPostInProgressError} when
 * another invocation holds the claim without having posted.
 */
export async function claimResult(requestId: string, key: string, store: StatusUpdateDeps['store']): Promise<boolean> {
  if (await store.claimResultPost(requestId, key)) return true;
  if (await store.isResultPosted(requestId, key)) return false;
  throw new ResultPostInProgressError(requestId, key);
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
export async function handleCommandEvent(raw: unknown, deps: StatusUpdateDeps): Promise<StatusUpdateOutcome> {
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
  return event.kind === 'invocation' ? applyInvocation(event, audit, deps) : applyCommand(event, audit, deps);
}

async function applyInvocation(event: Extract<CommandEvent, { kind: 'invocation' }>, audit: AuditRecord, deps: StatusUpdateDeps): Promise<StatusUpdateOutcome> {
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
  // A duplicate that changed nothing would render the same message again: no chat.update for it.
  if (changed) await refreshStatusMessage(audit.requestId, deps);
  return advanced ? 'applied' : 'duplicate';
}

async function applyCommand(event: Extract<CommandEvent, { kind: 'command' }>, audit: AuditRecord, deps: StatusUpdateDeps): Promise<StatusUpdateOutcome> {
  const advanced = await deps.store.recordCommandStatus(audit.requestId, event.status);
  if (!isTerminalStatus(event.status)) {
    if (advanced) await refreshStatusMessage(audit.requestId, deps);
    return advanced ? 'applied' : 'duplicate';
  }
  let changed = advanced;
  // The command is over: fill in invocations whose own events were lost or are still on their way.
  const invocations = await deps.ssm.listCommandInvocations(event.commandId);
  for (const invocation of invocations) {
    if (await deps.store.recordInstanceStatus(audit.requestId, invocation.instanceId, invocation.status)) changed = true;
    if (isTerminalStatus(invocation.status) && (await finishInstance(audit, event.commandId, invocation.instanceId, deps))) changed = true;
  }
  if (invocations.length === 0) await postCommandOnlyResult(audit, event.status, deps);
  if (audit.action === 'restart') {
    await deps.store.releaseLocks([...new Set([...audit.instanceIds, ...invocations.map((invocation) => invocation.instanceId)])], audit.requestId);
  }
  const outcome =
    invocations.length > 0 ? outcomeOf(invocations.map((invocation) => invocation.status)) : isSuccessStatus(event.status) ? 'succeeded' : 'failed';
  if (await deps.store.closeAudit(audit.requestId, outcome, `command ${normaliseStatus(event.status)}`)) changed = true;
  if (changed) await refreshStatusMessage(audit.requestId, deps);
  return advanced ? 'applied' : 'duplicate';
}

/** Posts the instance's result once and releases its lock; true when this call posted it. */
async function finishInstance(audit: AuditRecord, commandId: string, instanceId: string, deps: StatusUpdateDeps): Promise<boolean> {
  if (audit.followUp) return showEvidence(audit, audit.followUp.planId, commandId, instanceId, deps);
  let posted = false;
  if (audit.statusMessage && (await claimResult(audit.requestId, instanceId, deps.store))) {
    let resultText: string;
    try {
      const invocation = await deps.ssm.getCommandInvocation(commandId, instanceId);
      const message = buildResultMessage({
        action: audit.action,
        instanceId,
        status: invocation.status,
        ...(invocation.statusDetails ? { statusDetails: invocation.statusDetails } : {}),
        ...(invocation.responseCode !== undefined ? { responseCode: invocation.responseCode } : {}),
        result: parseResultLine(invocation.stdout),
        stderr: invocation.stderr,
        offerRestart: deps.offerRestart,
      });
      await deps.chat.postMessage({ channel: audit.statusMessage.channel, thread_ts: audit.statusMessage.ts, ...message });
      resultText = message.text;
    } catch (error) {
      await deps.store.releaseResultPost(audit.requestId, instanceId);
      throw error;
    }
    // Posted: from here a failure must not give the claim back, or a retry would post the result twice.
    await deps.store.completeResultPost(audit.requestId, instanceId);
    await deps.store.appendEvent(audit.requestId, { type: 'result-posted', detail: `${instanceId}: ${resultText}`.slice(0, 1000) });
    posted = true;
  }
  if (audit.action === 'restart') await deps.store.releaseLocks([instanceId], audit.requestId);
  return posted;
}

/** How long the plan card of a check-first restart may be confirmed, counted from when it is shown. */
const EVIDENCE_CARD_TTL_SECONDS = 10 * 60;

/**
 * A check run before a restart finished: its measurement becomes the evidence on the restart plan, and the requester
 * gets the plan card (ephemeral). Confirm is offered only when a containerd restart will fix what was measured; any
 * other verdict closes the plan with the reason. Claimed once, like every result.
 */
async function showEvidence(audit: AuditRecord, planId: string, commandId: string, instanceId: string, deps: StatusUpdateDeps): Promise<boolean> {
  if (!(await claimResult(audit.requestId, instanceId, deps.store))) return false;
  let text: string;
  try {
    const invocation = await deps.ssm.getCommandInvocation(commandId, instanceId);
    const parsed = ACTIONS.check.parseResult(invocation.stdout);
    const plan = await deps.store.getPlan(planId);
    let message: SlackMessage;
    if (!plan) {
      message = buildPlanOutcome(`The check of \`${instanceId}\` finished, but its restart plan is gone. Nothing was restarted. Run \`/shim-fix restart ${instanceId}\` again.`);
    } else if (!isSuccessStatus(invocation.status) || !parsed || parsed.action !== 'check') {
      const reason = !isSuccessStatus(invocation.status) ? `SSM reports ${invocation.status}` : 'it printed no readable result line';
      message = buildPlanOutcome(`The check of \`${instanceId}\` did not finish (${escapeMrkdwn(reason)}), so shim-fix will not offer a restart. Nothing was restarted. Run \`/shim-fix check ${instanceId}\` to see the output.`);
      await closeRestartPlan(plan, `the check before the restart did not finish: ${reason}`, deps);
    } else {
      const evidence = evidenceOf(parsed);
      const offered = offeredActions(parsed);
      const stored: PlanEvidence = {
        checkRequestId: audit.requestId,
        instanceId,
        verdict: evidence.verdict,
        offered,
        sentence: evidence.sentence,
        runbook: evidence.runbook,
        facts: evidence.facts,
        warnings: offered.flatMap((id) => ACTIONS[id].warnings(parsed)),
        ...(evidence.containersAtRisk !== undefined ? { containersAtRisk: evidence.containersAtRisk } : {}),
      };
      const now = Math.floor((deps.now ?? Date.now)() / 1000);
      const withEvidence = await deps.store.attachEvidence(planId, stored, now + EVIDENCE_CARD_TTL_SECONDS);
      if (!withEvidence) {
        message = buildPlanOutcome(`The check of \`${instanceId}\` finished after its restart plan was closed. Nothing was restarted. ${escapeMrkdwn(evidence.sentence)}`);
      } else {
        message = buildEvidenceCard(withEvidence, stored);
        if (offered.length === 0) await closeRestartPlan(withEvidence, evidence.sentence, deps);
      }
    }
    if (!deps.chat.postEphemeral) throw new Error('this status path cannot post ephemeral messages');
    await deps.chat.postEphemeral({ channel: audit.channelId, user: audit.requestedBy, text: message.text, blocks: message.blocks ?? [] });
    text = message.text;
  } catch (error) {
    await deps.store.releaseResultPost(audit.requestId, instanceId);
    throw error;
  }
  await deps.store.completeResultPost(audit.requestId, instanceId);
  await deps.store.appendEvent(audit.requestId, { type: 'evidence-shown', detail: `${instanceId}: ${text}`.slice(0, 1000) });
  return true;
}

/** A restart that will not be offered: the plan can never be confirmed, and its request closes with the reason. */
async function closeRestartPlan(plan: Plan, reason: string, deps: StatusUpdateDeps): Promise<void> {
  await deps.store.claimPlan(plan.planId, 'shim-fix', 'cancelled');
  await deps.store.closeAudit(plan.requestId, 'refused', `not offered after the check: ${reason}`.slice(0, 1000));
}

async function postCommandOnlyResult(audit: AuditRecord, status: string, deps: StatusUpdateDeps): Promise<void> {
  if (!audit.statusMessage || !(await claimResult(audit.requestId, 'command', deps.store))) return;
  const text =
    normaliseStatus(status) === 'NoInstancesInTag'
      ? `SSM found no instance carrying the tags of \`${audit.target}\` when the command ran, so nothing ran.`
      : `The command ended with SSM status ${status} without running on any instance.`;
  try {
    await deps.chat.postMessage({ channel: audit.statusMessage.channel, thread_ts: audit.statusMessage.ts, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  } catch (error) {
    await deps.store.releaseResultPost(audit.requestId, 'command');
    throw error;
  }
  await deps.store.completeResultPost(audit.requestId, 'command');
}

async function refreshStatusMessage(requestId: string, deps: StatusUpdateDeps): Promise<void> {
  const audit = await deps.store.getAudit(requestId);
  if (!audit?.statusMessage) return;
  try {
    await deps.chat.update({ channel: audit.statusMessage.channel, ts: audit.statusMessage.ts, ...buildStatusMessage(audit) });
  } catch (error) {
    // The status line is cosmetic next to the result in the thread: a failed update must not block the rest.
    deps.logger.warn('could not update the status message', { requestId, error: error instanceof Error ? error.message : String(error) });
  }
}
