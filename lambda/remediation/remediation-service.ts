import { randomBytes } from 'node:crypto';
import type { RemediationStore, StatusMessageRef } from '../aws/remediation-store-types';
import type { SsmGateway } from '../aws/ssm-gateway';
import type { AllowTag } from '../config';
import { authorise, authoriseConfirm } from '../core/remediation/authorisation';
import { classifyAwsError, describeAwsFailure, describeUnknownSend, provesNothingRan } from '../core/remediation/aws-failure';
import { buildComment } from '../core/remediation/comment';
import { AwsCallError, TargetInvalidError } from '../core/remediation/errors';
import { buildPlan, describeDrift, retryCommand } from '../core/remediation/plan';
import { preflightFleet, preflightInstance, refuseAllowTagFleet, type PreflightVerdict } from '../core/remediation/preflight';
import { formatTarget, parseTarget, type Target } from '../core/remediation/targets';
import type { DocumentRef, Plan, RemediationAction, RolloutOptions } from '../core/remediation/types';
import type { AppLogger } from '../logger';
import { ACTIONS, type ActionId } from './actions';
import type { FleetCheckStarter } from './fleet/types';
import { lockTtlSeconds } from './bounds';

export interface RemediationServiceOptions {
  operators: readonly string[];
  allowTag: AllowTag;
  restartDocument: string;
  checkDocument: string;
  ssm: SsmGateway;
  store: RemediationStore;
  logger: AppLogger;
  rollout?: Partial<RolloutOptions>;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** @default random 12-character ids */
  newId?: (prefix: 'r' | 'p') => string;
}

export type PlanOutcome = { kind: 'plan'; plan: Plan; summary: string } | { kind: 'refused'; message: string };

/** A check-first restart: the check was sent (its result brings the plan card), or a fleet's card at once, or a refusal. */
export type CheckFirstOutcome =
  | PlanOutcome
  | { kind: 'checking'; plan: Plan; checkRequestId: string; commandId: string }
  /** A fleet: its check went out across the fleet (lambda/remediation/fleet/); the fleet plan card follows. */
  | { kind: 'fleet-checking'; checkRequestId: string };

export type ConfirmOutcome =
  | { kind: 'sent'; requestId: string; commandId: string; statusMessage: StatusMessageRef; warning?: string }
  | { kind: 'refused'; message: string; requestId?: string }
  | { kind: 'locked'; message: string; heldBy: string; statusMessage?: StatusMessageRef }
  | { kind: 'failed'; message: string; requestId: string }
  /** A repeated hand-over of a Confirm already being sent (or sent): nothing was done, nobody is told again. */
  | { kind: 'duplicate'; requestId: string };

/** A Confirm accepted inside Slack's request (plan consumed, instances locked); the send happens outside it. */
export type ConfirmClaim = { kind: 'claimed'; plan: Plan; actionId: ActionId } | Exclude<ConfirmOutcome, { kind: 'sent' | 'duplicate' }>;

/**
 * The send of one confirmed request is taken with this result-post claim key (a lease, see RESULT_POST_LEASE_SECONDS):
 * two deliveries of the same job at once cannot both send.
 */
const SEND_CLAIM = 'send';

/** How the service posts and updates the public status message (the Slack layer passes its client). */
export interface StatusPublisher {
  post(requestId: string): Promise<StatusMessageRef>;
  refresh(requestId: string): Promise<void>;
}

/**
 * The remediation story, Slack-agnostic: plan (authorise, parse, preflight, pin the document version), confirm
 * (re-authorise, consume the plan once, re-check, lock, audit, send) and cancel. Every refusal is a message that
 * names what is needed; every request, refused or not, leaves an audit record.
 */
export class RemediationService {
  private readonly options: Required<Omit<RemediationServiceOptions, 'rollout'>> & { rollout: Partial<RolloutOptions> };

  public constructor(options: RemediationServiceOptions) {
    this.options = {
      now: Date.now,
      newId: (prefix) => `${prefix}-${randomBytes(9).toString('base64url')}`,
      rollout: {},
      ...options,
    };
  }

  /** `/shim-fix check|restart <target>`: everything up to the plan card. Nothing is sent. */
  public async plan(input: { userId: string; channelId: string; action: RemediationAction; targetText: string; checkFirst?: boolean }): Promise<PlanOutcome> {
    const { ssm, store, logger } = this.options;
    const requestId = this.options.newId('r');
    const base = { requestId, action: input.action, target: input.targetText.trim().slice(0, 200), requestedBy: input.userId, channelId: input.channelId, createdAt: this.isoNow() };

    // Who asks comes first: someone who may not act learns whom to ask, not how to spell an instance id.
    const allowed = authorise(input.userId, this.options.operators, input.action);
    if (!allowed.allowed) {
      await this.refuse(base, [], allowed.message);
      return { kind: 'refused', message: allowed.message };
    }
    let target: Target;
    try {
      target = parseTarget(input.targetText);
    } catch (error) {
      if (error instanceof TargetInvalidError) return { kind: 'refused', message: error.message };
      throw error;
    }
    base.target = formatTarget(target);
    const allowTagFleet = refuseAllowTagFleet(target, this.options.allowTag);
    if (allowTagFleet) {
      await this.refuse(base, [], allowTagFleet);
      return { kind: 'refused', message: allowTagFleet };
    }

    let verdict: PreflightVerdict;
    let document: DocumentRef;
    try {
      [verdict, document] = await Promise.all([this.preflight(target), ssm.documentVersion(this.documentFor(input.action))]);
    } catch (error) {
      const message = this.describeFailure(error, 'preflight', base.target, requestId, input.action);
      logger.warn('preflight failed', { requestId, error: describeError(error) });
      await this.refuse(base, [], message, 'not-sent');
      return { kind: 'refused', message };
    }
    if (!verdict.ok) {
      await this.refuse(base, [], verdict.message);
      return { kind: 'refused', message: verdict.message };
    }

    const plan = buildPlan({
      planId: this.options.newId('p'),
      requestId,
      action: input.action,
      target,
      requestedBy: input.userId,
      channelId: input.channelId,
      document,
      instanceIds: verdict.instanceIds,
      rollout: this.options.rollout,
      now: new Date(this.options.now()),
    });
    // One instance: no card until the check has measured it (a fleet keeps the card at once, see docs/remediation.md).
    if (input.checkFirst && input.action === 'restart' && target.kind === 'instance') plan.checkFirst = true;
    await store.createAudit({ ...base, state: 'planned', instanceIds: plan.instanceIds, document });
    await store.savePlan(plan);
    logger.info('plan created', { requestId, planId: plan.planId, action: plan.action, target: base.target, instances: plan.instanceIds.length });
    return { kind: 'plan', plan, summary: verdict.summary };
  }

  /**
   * `/shim-fix restart <instance>`, a bare target and every Restart button: plans the restart (authorise, preflight,
   * pin the document) without showing it, then sends the read-only check to the instance. The status path turns the
   * check's result into the plan card (lambda/slack/remediation/status-updates.ts); only a stale daemon offers Confirm.
   */
  public async checkFirst(input: { userId: string; channelId: string; targetText: string; fleet?: FleetCheckStarter }): Promise<CheckFirstOutcome> {
    const { ssm, store, logger } = this.options;
    const fleetTarget = parseFleetTarget(input.targetText);
    if (fleetTarget && input.fleet) {
      // A fleet is checked across every member first; its card is built from what was measured (issue 13).
      const started = await input.fleet.startFleetCheck({ purpose: 'restart', channelId: input.channelId, requestedBy: input.userId, source: { kind: 'tag', ...fleetTarget } });
      return 'refused' in started ? { kind: 'refused', message: started.refused } : { kind: 'fleet-checking', checkRequestId: started.checkRequestId };
    }
    const planned = await this.plan({ ...input, action: 'restart', checkFirst: true });
    if (planned.kind === 'refused' || !planned.plan.checkFirst) return planned;
    const { plan } = planned;
    const checkRequestId = this.options.newId('r');
    const base = {
      requestId: checkRequestId,
      action: 'check' as const,
      target: formatTarget(plan.target),
      requestedBy: input.userId,
      channelId: input.channelId,
      createdAt: this.isoNow(),
      instanceIds: plan.instanceIds,
      followUp: { planId: plan.planId },
    };
    const giveUp = async (message: string, outcome: 'not-sent' | 'refused'): Promise<CheckFirstOutcome> => {
      await store.claimPlan(plan.planId, input.userId, 'cancelled');
      await store.closeAudit(plan.requestId, outcome, `the check before the restart was not sent: ${message}`.slice(0, 1000));
      return { kind: 'refused', message };
    };
    let document: DocumentRef;
    try {
      document = await ssm.documentVersion(this.options.checkDocument);
    } catch (error) {
      const message = this.describeFailure(error, 'preflight', base.target, checkRequestId, 'check');
      await this.refuse({ ...base }, plan.instanceIds, message, 'not-sent');
      return giveUp(message, 'not-sent');
    }
    await store.createAudit({ ...base, state: 'planned', document });
    await store.markSending(checkRequestId);
    let commandId: string;
    try {
      ({ commandId } = await ssm.sendCommand({ document, target: plan.target, comment: buildComment(input.userId, checkRequestId), rollout: plan.rollout }));
    } catch (error) {
      logger.error('SendCommand of the check failed', { requestId: checkRequestId, error: describeError(error) });
      if (provesNothingRan(error)) {
        const message = this.describeFailure(error, 'SendCommand', base.target, checkRequestId, 'check');
        await store.closeAudit(checkRequestId, 'not-sent', message);
        return giveUp(message, 'not-sent');
      }
      // The check is read-only: an unknown outcome needs no lock; the sweeper closes the request later.
      const awsName = error instanceof AwsCallError ? error.awsName : classifyAwsError(error).awsName;
      return giveUp(describeUnknownSend({ awsName, requestId: checkRequestId }).replace(/ The instance stays locked.*$/, ''), 'not-sent');
    }
    await store.recordCommand(checkRequestId, commandId, document);
    logger.info('check sent before a restart', { requestId: checkRequestId, planId: plan.planId, commandId });
    return { kind: 'checking', plan, checkRequestId, commandId };
  }

  /** The Confirm button (`actionId`: which of the actions the card offered). Runs at most once per plan, whatever Slack and the user do. */
  public async confirm(input: { planId: string; userId: string; publisher: StatusPublisher; actionId?: ActionId }): Promise<ConfirmOutcome> {
    const claim = await this.claimConfirm(input);
    if (claim.kind !== 'claimed') return claim;
    return this.sendConfirmed({ requestId: claim.plan.requestId, planId: claim.plan.planId, userId: input.userId, actionId: claim.actionId, publisher: input.publisher });
  }

  /**
   * The part of a Confirm that runs inside Slack's request, on the table alone (no SSM, no Slack): re-authorise,
   * consume the plan once and, for a restart, lock its instances. What SSM must be asked (preflight, document version,
   * SendCommand) is left to {@link sendConfirmed}, run by the remediation worker.
   */
  public async claimConfirm(input: { planId: string; userId: string; actionId?: ActionId }): Promise<ConfirmClaim> {
    const { store } = this.options;
    const shown = await store.getPlan(input.planId);
    if (!shown) return { kind: 'refused', message: 'This card is no longer valid. Run the command again for a fresh plan.' };
    const actionId: ActionId = input.actionId ?? (shown.action === 'restart' ? 'restart' : 'check');
    const notOffered = describeNotOffered(shown, actionId);
    if (notOffered) return { kind: 'refused', message: notOffered, requestId: shown.requestId };

    // Who clicked, before anything else: a stranger's click must not even consume the plan.
    const allowed = authoriseConfirm(input.userId, shown, this.options.operators);
    if (!allowed.allowed) {
      await store.appendEvent(shown.requestId, { type: 'refused', by: input.userId, detail: allowed.message });
      return { kind: 'refused', message: allowed.message, requestId: shown.requestId };
    }

    // The claim is the click deduplication: a double click or a Slack retry finds the plan already confirmed.
    const claim = await store.claimPlan(input.planId, input.userId, 'confirmed');
    if (!claim.claimed) {
      const message = this.describeLostClaim(claim.reason, shown);
      // An expired card closes its request (once); a second click on a confirmed card changes nothing.
      if (claim.reason === 'expired') await store.closeAudit(shown.requestId, 'refused', 'the plan card expired before it was confirmed');
      return { kind: 'refused', message, requestId: shown.requestId };
    }
    const plan = claim.plan;
    await store.appendEvent(plan.requestId, { type: 'confirmed', by: input.userId });

    if (plan.action === 'restart') {
      // On the in-flight index before the lock: if the hand-over or the worker dies holding the lock, the sweeper finds
      // the request (stage `preparing`: nothing was sent) and frees the instance, instead of a lock nobody can see.
      await store.markSending(plan.requestId, 'preparing');
      const lock = await store.acquireLocks(plan.instanceIds, plan.requestId, lockTtlSeconds(plan.instanceIds.length));
      if (!lock.acquired) {
        const running = await store.getAudit(lock.heldBy);
        const message = `\`${lock.instanceId}\` is already being restarted by request \`${lock.heldBy}\`${running ? ` (<@${running.requestedBy}>)` : ''}. Wait for its result, then check again. Nothing ran.`;
        await store.closeAudit(plan.requestId, 'refused', message);
        return { kind: 'locked', message, heldBy: lock.heldBy, ...(running?.statusMessage ? { statusMessage: running.statusMessage } : {}) };
      }
    }
    return { kind: 'claimed', plan, actionId };
  }

  /** The Confirm could not be handed over to the worker: nothing was sent, the instances are free again. */
  public async abandonClaim(plan: Plan, detail: string): Promise<void> {
    await this.abandon(plan, 'not-sent', detail);
  }

  /**
   * The rest of a claimed Confirm, in the remediation worker (as long as SSM takes): re-check, post the status
   * message, send once. Idempotent by request id: a repeated or overlapping job for the same request sends nothing.
   */
  public async sendConfirmed(input: { requestId: string; planId: string; userId: string; actionId: ActionId; publisher: StatusPublisher }): Promise<ConfirmOutcome> {
    const { store, ssm, logger } = this.options;
    const duplicate: ConfirmOutcome = { kind: 'duplicate', requestId: input.requestId };
    // The lease keeps two deliveries running at once apart; the audit trail keeps out every later one.
    if (!(await store.claimResultPost(input.requestId, SEND_CLAIM))) return duplicate;
    const [audit, events, plan] = await Promise.all([store.getAudit(input.requestId), store.getEvents(input.requestId), store.getPlan(input.planId)]);
    if (!audit || audit.outcome !== undefined || audit.commandId !== undefined || events.some((event) => event.type === 'send-started')) {
      logger.warn('ignoring a repeated send of a confirmed request', { requestId: input.requestId });
      return duplicate;
    }
    if (!plan || plan.requestId !== input.requestId) {
      await store.closeAudit(input.requestId, 'not-sent', 'the confirmed plan could not be read back');
      return { kind: 'failed', message: 'This card is no longer valid. Nothing ran. Run the command again for a fresh plan.', requestId: input.requestId };
    }
    const actionId = input.actionId;

    // Re-check what the card showed: still online, still tagged, same document version, same instances.
    let verdict: PreflightVerdict;
    let document: DocumentRef;
    try {
      [verdict, document] = await Promise.all([this.preflight(plan.target), ssm.documentVersion(plan.document.name)]);
    } catch (error) {
      const message = this.describeFailure(error, 'preflight', formatTarget(plan.target), plan.requestId, plan.action);
      await this.abandon(plan, 'not-sent', message);
      return { kind: 'failed', message, requestId: plan.requestId };
    }
    if (!verdict.ok) {
      await this.abandon(plan, 'refused', verdict.message);
      return { kind: 'refused', message: `${verdict.message} Nothing ran.`, requestId: plan.requestId };
    }
    const drift = describeDrift(plan, { document, instanceIds: verdict.instanceIds });
    if (drift) {
      const message = `This card is out of date: ${drift}. Nothing ran. Run \`${retryCommand(plan)}\` for a fresh plan.`;
      await this.abandon(plan, 'refused', message);
      return { kind: 'refused', message, requestId: plan.requestId };
    }

    // The public status message goes first, so the status handler always has a thread to answer in.
    let statusMessage: StatusMessageRef;
    try {
      statusMessage = await input.publisher.post(plan.requestId);
      await store.setStatusMessage(plan.requestId, statusMessage);
      // Stage `sending` before SendCommand: if this invocation dies from here on, the command may have gone out, and
      // a repeated job must not send again (the event is what it finds).
      await store.markSending(plan.requestId, 'sending');
      await store.appendEvent(plan.requestId, { type: 'send-started' });
    } catch (error) {
      await this.abandon(plan, 'not-sent', `could not post the status message: ${describeError(error)}`);
      throw error;
    }

    let commandId: string;
    try {
      ({ commandId } = await ssm.sendCommand({
        document: plan.document,
        target: plan.target,
        comment: buildComment(input.userId, plan.requestId),
        rollout: plan.rollout,
        parameters: ACTIONS[actionId].parameters,
      }));
    } catch (error) {
      logger.error('SendCommand failed', { requestId: plan.requestId, error: describeError(error) });
      if (provesNothingRan(error)) {
        const message = this.describeFailure(error, 'SendCommand', formatTarget(plan.target), plan.requestId, plan.action);
        await this.abandon(plan, 'not-sent', message);
        await input.publisher.refresh(plan.requestId).catch(() => undefined);
        return { kind: 'failed', message, requestId: plan.requestId };
      }
      // A 5xx, a timeout, a network error or an unreadable 200 may have started the command: the lock stays and the
      // request stays on the in-flight index (marked as sending), where the sweeper tells the thread and closes it.
      const awsName = error instanceof AwsCallError ? error.awsName : classifyAwsError(error).awsName;
      const message = describeUnknownSend({ awsName, requestId: plan.requestId });
      await store.appendEvent(plan.requestId, { type: 'send-unknown', detail: describeError(error).slice(0, 1000) });
      return { kind: 'failed', message, requestId: plan.requestId };
    }
    try {
      await store.recordCommand(plan.requestId, commandId, plan.document);
    } catch (error) {
      // The command runs, but the status handler cannot find it: say so, rather than pretend nothing happened.
      logger.error('command sent but not recorded', { requestId: plan.requestId, commandId, error: describeError(error) });
      const warning = `The command runs, but shim-fix could not record it, so this channel will not get its result. Follow command \`${commandId}\` in Systems Manager > Run Command.`;
      return { kind: 'sent', requestId: plan.requestId, commandId, statusMessage, warning };
    }
    await input.publisher.refresh(plan.requestId).catch((error: unknown) => logger.warn('could not update the status message', { error: describeError(error) }));
    logger.info('command sent', { requestId: plan.requestId, commandId, document: plan.document.name, version: plan.document.version });
    return { kind: 'sent', requestId: plan.requestId, commandId, statusMessage };
  }

  /** The Cancel button: closes the plan so a later Confirm (another tab, a retry) cannot run it. */
  public async cancel(input: { planId: string; userId: string }): Promise<{ message: string }> {
    const { store } = this.options;
    const shown = await store.getPlan(input.planId);
    if (!shown) return { message: 'This card is no longer valid; nothing ran.' };
    if (shown.requestedBy !== input.userId) return { message: `This plan belongs to <@${shown.requestedBy}>; only they can cancel it.` };
    const claim = await store.claimPlan(input.planId, input.userId, 'cancelled');
    if (!claim.claimed) return { message: this.describeLostClaim(claim.reason, shown) };
    await store.closeAudit(shown.requestId, 'cancelled', `cancelled by ${input.userId}`);
    return { message: `Cancelled. Nothing ran on \`${formatTarget(shown.target)}\`.` };
  }

  private async preflight(target: Target): Promise<PreflightVerdict> {
    const { ssm, allowTag } = this.options;
    return target.kind === 'instance' ? preflightInstance(await ssm.describeInstance(target.instanceId), allowTag) : preflightFleet(await ssm.describeFleet(target.tag), allowTag);
  }

  private documentFor(action: RemediationAction): string {
    return action === 'restart' ? this.options.restartDocument : this.options.checkDocument;
  }

  private describeFailure(error: unknown, operation: string, target: string, requestId: string, action: RemediationAction): string {
    const aws = error instanceof AwsCallError ? error : undefined;
    const { kind, awsName, attempts } = aws
      ? { kind: aws.kind, awsName: aws.awsName, attempts: aws.attempts ?? (aws.cause as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts }
      : classifyAwsError(error);
    return describeAwsFailure(kind, {
      operation: aws?.operation ?? operation,
      target,
      document: this.documentFor(action),
      allowTag: this.options.allowTag,
      requestId,
      awsName,
      ...(attempts !== undefined ? { attempts } : {}),
    });
  }

  private describeLostClaim(reason: 'missing' | 'expired' | 'already-confirmed' | 'already-cancelled', plan: Plan): string {
    switch (reason) {
      case 'already-confirmed':
        return 'Already confirmed: this plan runs once. Follow its status message in the channel.';
      case 'already-cancelled':
        return 'This plan was cancelled; nothing ran.';
      case 'expired':
        return `This card expired (plans are valid for 10 minutes). Nothing ran. Run \`${retryCommand(plan)}\` for a fresh plan.`;
      case 'missing':
        return 'This card is no longer valid. Run the command again for a fresh plan.';
    }
  }

  private async refuse(
    base: { requestId: string; action: RemediationAction; target: string; requestedBy: string; channelId: string; createdAt: string },
    instanceIds: string[],
    message: string,
    outcome: 'refused' | 'not-sent' = 'refused',
  ): Promise<void> {
    await this.options.store.createAudit({ ...base, state: 'closed', instanceIds, outcome, outcomeDetail: message, closedAt: this.isoNow() });
    this.options.logger.info('request refused', { requestId: base.requestId, requestedBy: base.requestedBy, target: base.target, outcome });
  }

  private async abandon(plan: Plan, outcome: 'not-sent' | 'refused' | 'unknown', detail: string): Promise<void> {
    if (plan.action === 'restart') await this.options.store.releaseLocks(plan.instanceIds, plan.requestId);
    await this.options.store.closeAudit(plan.requestId, outcome, detail);
  }

  private isoNow(): string {
    return new Date(this.options.now()).toISOString();
  }
}

/** Why `actionId` may not be confirmed on this card, or undefined when it may. */
function describeNotOffered(plan: Plan, actionId: ActionId): string | undefined {
  const spec = ACTIONS[actionId];
  if ((spec.document === 'check') !== (plan.action === 'check')) return 'This button does not belong to this card. Nothing ran.';
  if (!plan.checkFirst) return actionId === 'restart-with-docker' ? 'This card offers no Docker restart. Nothing ran.' : undefined;
  if (!plan.evidence) return 'The check of this instance has not reported yet, so nothing can be confirmed. Nothing ran.';
  if (!plan.evidence.offered.includes(actionId)) return `The check did not offer this: ${plan.evidence.sentence} Nothing ran.`;
  return undefined;
}

/** The tag of a `tag:K=V` target, or undefined for anything else (an instance, or text the plan will refuse). */
function parseFleetTarget(text: string): { key: string; value: string } | undefined {
  try {
    const target = parseTarget(text);
    return target.kind === 'fleet' ? target.tag : undefined;
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
