import { authoriseConfirm } from '../../core/remediation/authorisation';
import { classifyAwsError, describeUnknownSend, provesNothingRan } from '../../core/remediation/aws-failure';
import { isSuccessStatus, isTerminalStatus, type RequestOutcome } from '../../core/remediation/command-status';
import { buildComment } from '../../core/remediation/comment';
import { AwsCallError } from '../../core/remediation/errors';
import { hostText } from '../../core/remediation/host-text';
import { PLAN_TTL_SECONDS, RESTART_STEPS } from '../../core/remediation/plan';
import { describeResult } from '../../core/remediation/result-line';
import type { Plan } from '../../core/remediation/types';
import { ACTIONS } from '../actions';
import { DeliveryError } from '../notifier';
import { SWEEP_SCHEDULE_MINUTES } from '../bounds';
import { batchRollout, describeError, rolloutGiveUpMs, type FleetDeps } from './fleet-deps';
import type { FleetOutcome, FleetRecord } from './fleet-store';
import { progressUpdateDue, type FleetProgressSnapshot } from './progress';
import type { FleetCheckSummary } from './types';
import { mustHalt, planWaves, sendBatches, type FleetRolloutSettings } from './waves';

export const STOPPED_AFTER_FAILURE = 'skipped — stopped after the first failure';

export type FleetConfirmClaim =
  | { kind: 'claimed'; requestId: string; selected: number; waves: number; waveSize: number }
  | { kind: 'refused'; message: string; requestId?: string };

/**
 * The fleet restart after its check: the plan from what was measured, Confirm (inside Slack's request: the table only),
 * rolling waves sent by the worker (each claimed once, its instances locked one by one, ids in batches of 50), and each
 * instance's outcome recorded once as it arrives through the status path. The first failure beyond the tolerated
 * number stops the rollout; an unknown SendCommand outcome halts it and keeps those locks.
 */
export class FleetRollout {
  public constructor(private readonly deps: FleetDeps) {}

  /** The plan the fleet card shows, stored until Confirm; undefined when no host needs a restart (no Confirm then). */
  public async planFromCheck(summary: FleetCheckSummary): Promise<Plan | undefined> {
    const { store } = this.deps;
    const fleet = await store.getFleet(summary.checkRequestId);
    const restartIds = summary.findings.filter((finding) => finding.category === 'restart-fixes').map((finding) => finding.instanceId);
    const docker = summary.findings.filter((finding) => finding.category === 'docker-stops-containers');
    if (!fleet?.document || !summary.requestedBy || restartIds.length + docker.length === 0) return undefined;
    const now = this.deps.now();
    const requestId = this.deps.newId('r');
    const instanceIds = [...restartIds, ...docker.map((finding) => finding.instanceId)].sort();
    const plan: Plan = {
      planId: this.deps.newId('p'),
      requestId,
      action: 'restart',
      // The Target type names a tag; the card and the audit record show the fleet's own label (plan.fleet.targetLabel).
      target: { kind: 'fleet', tag: tagOf(summary.target, this.deps.allowTag) },
      requestedBy: summary.requestedBy,
      channelId: summary.channelId,
      document: fleet.document,
      instanceIds,
      rollout: batchRollout(1, 0),
      restarts: [...RESTART_STEPS],
      warnings: [],
      createdAt: new Date(now).toISOString(),
      expiresAt: Math.floor(now / 1000) + PLAN_TTL_SECONDS,
      fleet: {
        checkRequestId: summary.checkRequestId,
        targetLabel: summary.target,
        restartIds,
        dockerIds: docker.map((finding) => finding.instanceId),
        dockerContainers: docker.reduce((sum, finding) => sum + (finding.runningContainers ?? 0), 0),
      },
    };
    await store.createAudit({ requestId, action: 'restart', target: summary.target, requestedBy: summary.requestedBy, channelId: summary.channelId, createdAt: plan.createdAt, state: 'planned', instanceIds, document: plan.document, fleet: { phase: 'restart' } });
    await store.savePlan(plan);
    return plan;
  }

  /**
   * Confirm on a fleet card, inside Slack's request (the table only): re-authorise, consume the plan once, create the
   * rollout with its waves. The worker sends wave 1 (`fleet-wave` job). Only the hosts the check selected are in it;
   * the Docker hosts only when `includeDocker` (the separate button).
   */
  public async claimConfirm(input: { planId: string; userId: string; includeDocker: boolean; rollout: FleetRolloutSettings }): Promise<FleetConfirmClaim> {
    const { store, operators } = this.deps;
    const shown = await store.getPlan(input.planId);
    if (!shown?.fleet) return { kind: 'refused', message: 'This card is no longer valid. Run the command again for a fresh plan.' };
    const allowed = authoriseConfirm(input.userId, shown, operators);
    if (!allowed.allowed) {
      await store.appendEvent(shown.requestId, { type: 'refused', by: input.userId, detail: allowed.message });
      return { kind: 'refused', message: allowed.message, requestId: shown.requestId };
    }
    if (input.includeDocker && shown.fleet.dockerIds.length === 0) return { kind: 'refused', message: 'This card offers no Docker restart. Nothing ran.', requestId: shown.requestId };
    const claim = await store.claimPlan(input.planId, input.userId, 'confirmed');
    if (!claim.claimed) {
      if (claim.reason === 'expired') await store.closeAudit(shown.requestId, 'refused', 'the plan card expired before it was confirmed');
      const message =
        claim.reason === 'expired'
          ? `This card expired (plans are valid for 10 minutes). Nothing ran. Run \`/shim-fix restart ${shown.fleet.targetLabel}\` for a fresh check.`
          : claim.reason === 'already-confirmed'
            ? 'Already confirmed: this plan runs once. Follow its status message in the channel.'
            : 'This plan was cancelled or is gone; nothing ran.';
      return { kind: 'refused', message, requestId: shown.requestId };
    }
    const { plan } = claim;
    const facts = plan.fleet ?? shown.fleet;
    const selected = [...facts.restartIds, ...(input.includeDocker ? facts.dockerIds : [])].sort();
    const waves = planWaves(selected, input.rollout.wavePercent);
    const now = this.deps.now();
    await store.appendEvent(plan.requestId, {
      type: 'confirmed',
      by: input.userId,
      detail: `${selected.length} host(s) in ${waves.length} wave(s) of ${waves[0]?.length ?? 0}, ${input.rollout.maxFailures} failure(s) tolerated${input.includeDocker ? `, including ${facts.dockerIds.length} where Docker restarts` : ''}`,
    });
    await store.createFleet({
      requestId: plan.requestId,
      phase: 'restart',
      purpose: 'restart',
      target: facts.targetLabel,
      channelId: plan.channelId,
      requestedBy: plan.requestedBy,
      instanceIds: selected,
      createdAt: new Date(now).toISOString(),
      startedAt: now,
      giveUpAt: now + rolloutGiveUpMs(waves.length),
      checkRequestId: facts.checkRequestId,
      waves,
      withDocker: input.includeDocker ? facts.dockerIds : [],
      maxFailures: input.rollout.maxFailures,
      document: plan.document,
    });
    // On the in-flight index from now: if the hand-over dies, the sweeper gives the rollout up at its bound.
    await store.markSending(plan.requestId);
    return { kind: 'claimed', requestId: plan.requestId, selected: selected.length, waves: waves.length, waveSize: waves[0]?.length ?? 0 };
  }

  /** The worker's `fleet-wave` job: sends wave `wave` once (claimed), then moves the rollout on. */
  public async runWave(requestId: string, wave: number): Promise<'sent' | 'duplicate' | 'stopped'> {
    const { store, logger } = this.deps;
    const fleet = await store.getFleet(requestId);
    if (!fleet || fleet.phase !== 'restart' || wave < 1 || wave > fleet.waves.length) return 'stopped';
    if (!(await store.claimWave(requestId, wave))) {
      logger.warn('ignoring a repeated fleet wave', { requestId, wave });
      return 'duplicate';
    }
    if (fleet.haltedReason !== undefined || fleet.completedAt !== undefined) return 'stopped';
    if (wave === 1) await this.postStatus(fleet);
    const ids = fleet.waves[wave - 1] ?? [];
    const ttlSeconds = Math.ceil((fleet.giveUpAt - this.deps.now()) / 1000) + 2 * SWEEP_SCHEDULE_MINUTES * 60;
    const locked: string[] = [];
    for (const instanceId of ids) {
      const lock = await store.acquireLocks([instanceId], requestId, ttlSeconds);
      if (lock.acquired) locked.push(instanceId);
      else await store.recordOutcome(requestId, { instanceId, wave, outcome: 'skipped', detail: `locked by request ${lock.heldBy}`, sent: false });
    }
    const docker = new Set(fleet.withDocker);
    const groups = [locked.filter((id) => !docker.has(id)), locked.filter((id) => docker.has(id))];
    let sent = 0;
    for (const [index, group] of groups.entries()) {
      const parameters = index === 0 ? ACTIONS.restart.parameters : ACTIONS['restart-with-docker'].parameters;
      for (const batch of sendBatches(group)) {
        if ((await store.getFleet(requestId))?.haltedReason !== undefined) {
          await store.releaseLocks(batch, requestId);
          for (const instanceId of batch) await store.recordOutcome(requestId, { instanceId, wave, outcome: 'skipped', detail: STOPPED_AFTER_FAILURE, sent: false });
          continue;
        }
        if (await this.sendBatch(fleet, wave, batch, parameters)) sent += batch.length;
      }
    }
    const after = await store.setWaveSent(requestId, wave, sent);
    logger.info('fleet wave sent', { requestId, wave, of: fleet.waves.length, sent, skipped: ids.length - sent });
    await this.moveOn(after, wave);
    return 'sent';
  }

  /** One terminal restart invocation (status path or sweeper): its outcome once, its lock released, the rollout moved on. */
  public async recordAnswer(requestId: string, commandId: string, instanceId: string, status: string): Promise<boolean> {
    if (!isTerminalStatus(status)) return false;
    const { store, ssm } = this.deps;
    const fleet = await store.getFleet(requestId);
    const wave = fleet?.waves.findIndex((ids) => ids.includes(instanceId)) ?? -1;
    if (!fleet || fleet.phase !== 'restart' || wave < 0) return false;
    const invocation = await ssm.getCommandInvocation(commandId, instanceId);
    const result = ACTIONS.restart.parseResult(invocation.stdout);
    const restarted = isSuccessStatus(invocation.status) && result?.action === 'restart' && result.status === 'restarted';
    const detail = hostText(result?.action === 'restart' ? describeResult(result) : `SSM reports ${invocation.status}${invocation.statusDetails ? ` (${invocation.statusDetails})` : ''}`, 200);
    const outcome: FleetOutcome = { instanceId, wave: wave + 1, outcome: restarted ? 'restarted' : 'failed', detail, sent: true };
    const counted = await store.recordOutcome(requestId, outcome);
    await store.releaseLocks([instanceId], requestId);
    if (!counted) return false;
    if (!restarted) await this.onFailure(counted, outcome);
    await this.moveOn((await store.getFleet(requestId)) ?? counted, wave + 1);
    return true;
  }

  /** Past the give-up bound (the sweeper): every silent host is `unknown` (its lock released), unsent ones skipped. */
  public async giveUp(after: FleetRecord, minutes: number): Promise<'givenUp'> {
    const { store } = this.deps;
    const { requestId } = after;
    await store.haltFleet(requestId, `no final status from SSM within ${minutes} minutes`);
    const known = new Set((await store.listOutcomes(requestId)).map((outcome) => outcome.instanceId));
    for (const [index, ids] of after.waves.entries()) {
      const sentWave = after.waveSent[index + 1] !== undefined;
      for (const instanceId of ids.filter((id) => !known.has(id))) {
        // The bound is what frees a host whose answer never came (the lock outlives it by two sweeps).
        if (sentWave) await store.releaseLocks([instanceId], requestId);
        await store.recordOutcome(requestId, sentWave ? { instanceId, wave: index + 1, outcome: 'unknown', detail: `no final status within ${minutes} minutes`, sent: false } : { instanceId, wave: index + 1, outcome: 'skipped', detail: 'never sent: the rollout was given up', sent: false });
      }
    }
    await this.finishIfDone(requestId);
    return 'givenUp';
  }

  private async sendBatch(fleet: FleetRecord, wave: number, batch: string[], parameters: Readonly<Record<string, string[]>>): Promise<boolean> {
    const { store, ssm, logger } = this.deps;
    const document = fleet.document;
    if (!document) throw new Error(`fleet request ${fleet.requestId} has no pinned document`);
    try {
      const { commandId } = await ssm.sendCommand({
        document,
        target: { kind: 'instance', instanceId: batch[0] ?? '' },
        instanceIds: batch,
        comment: buildComment(fleet.requestedBy ?? 'shim-fix', fleet.requestId),
        rollout: batchRollout(batch.length, fleet.maxFailures),
        parameters,
      });
      await store.addFleetCommand(fleet.requestId, commandId);
      return true;
    } catch (error) {
      logger.error('SendCommand of a fleet wave failed', { requestId: fleet.requestId, wave, error: describeError(error) });
      const awsName = error instanceof AwsCallError ? error.awsName : classifyAwsError(error).awsName;
      if (provesNothingRan(error)) {
        await store.releaseLocks(batch, fleet.requestId);
        for (const instanceId of batch) await store.recordOutcome(fleet.requestId, { instanceId, wave, outcome: 'failed', detail: `not sent: SSM refused the command (${awsName})`, sent: false });
        await this.halt(fleet.requestId, `SSM refused the restart command for wave ${wave} (${awsName}); nothing ran on those hosts`, wave);
        return false;
      }
      // It may have started: those hosts stay locked (their lock expires on its own), and nothing more is sent.
      await store.appendEvent(fleet.requestId, { type: 'send-unknown', detail: describeError(error).slice(0, 1000) });
      for (const instanceId of batch) await store.recordOutcome(fleet.requestId, { instanceId, wave, outcome: 'unknown', detail: `SSM did not confirm the command (${awsName})`, sent: false });
      await this.halt(fleet.requestId, `unknown: ${describeUnknownSend({ awsName, requestId: fleet.requestId })}`, wave);
      return false;
    }
  }

  private async onFailure(fleet: FleetRecord, outcome: FleetOutcome): Promise<void> {
    const where = (await this.deps.store.getAudit(fleet.requestId))?.statusMessage;
    const notifier = this.deps.notifier;
    if (where && notifier) await this.postOnce(fleet.requestId, outcome.instanceId, () => notifier.postInThread(where, failureLine(outcome)));
    if (mustHalt(fleet.failed + fleet.unknown, fleet.maxFailures)) {
      const first = fleet.maxFailures === 0 ? 'the first failure' : `${fleet.failed} failures (${fleet.maxFailures} tolerated)`;
      await this.halt(fleet.requestId, `stopped after ${first} (\`${outcome.instanceId}\`)`, outcome.wave);
    }
  }

  /** Stops the rollout once: every host of a later wave is skipped (never locked, never sent). */
  private async halt(requestId: string, reason: string, wave: number): Promise<void> {
    const { store } = this.deps;
    if (!(await store.haltFleet(requestId, reason))) return;
    const fleet = await store.getFleet(requestId);
    for (const [index, ids] of (fleet?.waves ?? []).entries()) {
      if (index + 1 <= wave) continue;
      for (const instanceId of ids) await store.recordOutcome(requestId, { instanceId, wave: index + 1, outcome: 'skipped', detail: STOPPED_AFTER_FAILURE, sent: false });
    }
  }

  /** After any change: finish when every host has an outcome, else send the next wave once this one is over. */
  private async moveOn(fleet: FleetRecord, wave: number): Promise<void> {
    if (await this.finishIfDone(fleet.requestId)) return;
    const sent = fleet.waveSent[wave];
    const waveOver = sent !== undefined && (fleet.waveEnded[wave] ?? 0) >= sent;
    if (waveOver && fleet.haltedReason === undefined && !mustHalt(fleet.failed + fleet.unknown, fleet.maxFailures) && wave < fleet.waves.length) {
      if (!this.deps.waves) throw new Error('no wave scheduler: the next wave cannot be handed to the worker');
      await this.deps.waves.scheduleWave(fleet.requestId, wave + 1);
    }
    await this.renderProgress(fleet.requestId, false);
  }

  private async finishIfDone(requestId: string): Promise<boolean> {
    const { store, notifier } = this.deps;
    const fleet = await store.getFleet(requestId);
    if (!fleet || fleet.reported < fleet.instanceIds.length) return false;
    if (!(await store.claimFleetCompletion(requestId))) return true;
    const outcome: RequestOutcome = fleet.unknown > 0 ? 'unknown' : fleet.failed > 0 ? 'failed' : fleet.done > 0 ? 'succeeded' : 'not-sent';
    const summary = `${fleet.done} restarted, ${fleet.failed} failed, ${fleet.skipped} skipped${fleet.unknown > 0 ? `, ${fleet.unknown} unknown` : ''} of ${fleet.instanceIds.length}${fleet.haltedReason ? `; ${fleet.haltedReason}` : ''}`;
    await store.closeAudit(requestId, outcome, summary.slice(0, 1000));
    const where = (await store.getAudit(requestId))?.statusMessage;
    if (where && notifier) {
      const unknown = fleet.unknown > 0 ? ` Unknown means SSM did not confirm the command: look in Systems Manager > Run Command for the comment \`${requestId}\` before trying again; those hosts stay locked until their lock expires.` : '';
      const missed = fleet.failed > 0 ? unpostedLine(await this.unpostedFailures(requestId)) : '';
      await this.postOnce(requestId, 'summary', () => notifier.postInThread(where, `*Fleet restart finished:* ${summary}.${unknown}${missed}`));
    }
    await this.renderProgress(requestId, true);
    this.deps.logger.info('fleet rollout finished', { requestId, outcome, done: fleet.done, failed: fleet.failed, skipped: fleet.skipped, unknown: fleet.unknown });
    return true;
  }

  private async postStatus(fleet: FleetRecord): Promise<void> {
    const { store, notifier } = this.deps;
    if (!notifier || (await store.getAudit(fleet.requestId))?.statusMessage) return;
    const now = this.deps.now();
    const where = await notifier.postStatus(fleet.channelId, snapshotOf(fleet, now));
    await store.setStatusMessage(fleet.requestId, where);
    await store.claimProgressRender(fleet.requestId, fleet.progressRenderedAt, now, false);
  }

  /** One throttled render of the status message (progress.ts): claimed, so concurrent events render once. */
  private async renderProgress(requestId: string, finished: boolean): Promise<void> {
    const { store, notifier, logger } = this.deps;
    if (!notifier) return;
    const read = await store.getFleet(requestId);
    const now = this.deps.now();
    if (!read || !progressUpdateDue(read.progressRenderedAt, now, finished, read.progressFinalRendered === true)) return;
    if (!(await store.claimProgressRender(requestId, read.progressRenderedAt, now, finished))) return;
    const [fleet, audit] = await Promise.all([store.getFleet(requestId), store.getAudit(requestId)]);
    const where = audit?.statusMessage;
    if (!fleet || !where) return;
    const update = (snapshot: FleetProgressSnapshot) =>
      notifier.updateStatus(where, snapshot).catch((error: unknown) => logger.warn('could not update the fleet status message', { requestId, error: describeError(error) }));
    await update(snapshotOf(fleet, now));
    if (finished) return;
    // An intermediate render can reach Slack after the final one (this chat.update slow, the final one fast): the
    // message would end on stale counts. A render that finds the final shown by now shows it again, after its own.
    const after = await store.getFleet(requestId);
    if (after?.progressFinalRendered === true && after.completedAt !== undefined) await update(snapshotOf(after, this.deps.now()));
  }

  /**
   * Posts one line in the status message's thread at most once per `(request, key)`. A post that may have been shown
   * (a timeout, a reset after sending) or was refused for good counts as posted and is never sent again; one that
   * surely was not shown gives its claim back, and the final summary names what is missing (nothing re-posts blindly).
   * Never throws: what it reports is recorded already.
   */
  private async postOnce(requestId: string, key: string, post: () => Promise<void>): Promise<void> {
    const { store, logger } = this.deps;
    if (!(await store.claimResultPost(requestId, key))) return;
    try {
      await post();
    } catch (error) {
      if (!(error instanceof DeliveryError && (error.delivered === 'maybe' || !error.retryLater))) {
        await store.releaseResultPost(requestId, key);
        logger.warn('could not post in the fleet thread', { requestId, key, error: describeError(error) });
        return;
      }
      logger.warn('a fleet thread post may have been shown and is not sent again', { requestId, key, delivered: error.delivered, reason: error.reason });
    }
    await store.completeResultPost(requestId, key);
  }

  /** Failed hosts whose thread line was not posted (claim given back, or never taken), in instance order. */
  private async unpostedFailures(requestId: string): Promise<string[]> {
    const { store, logger } = this.deps;
    try {
      const failed = (await store.listOutcomes(requestId)).filter((outcome) => outcome.outcome === 'failed').map((outcome) => outcome.instanceId);
      const posted = await Promise.all(failed.map((instanceId) => store.isResultPosted(requestId, instanceId)));
      return failed.filter((_, index) => !posted[index]).sort();
    } catch (error) {
      // The summary still goes out: the per-instance table lists every failure.
      logger.warn('could not tell which fleet failures were posted', { requestId, error: describeError(error) });
      return [];
    }
  }
}

/** How many unposted failures the summary names (the rest: the per-instance table). */
const UNPOSTED_NAMED = 20;

function failureLine(outcome: FleetOutcome): string {
  return `:x: \`${outcome.instanceId}\` (wave ${outcome.wave}): ${outcome.detail}`;
}

/** The summary's sentence for failures whose own thread line did not reach Slack; empty when there are none. */
export function unpostedLine(instanceIds: readonly string[]): string {
  if (instanceIds.length === 0) return '';
  const named = instanceIds.slice(0, UNPOSTED_NAMED).map((id) => `\`${id}\``).join(', ');
  const more = instanceIds.length > UNPOSTED_NAMED ? ` and ${instanceIds.length - UNPOSTED_NAMED} more` : '';
  return ` Failed, but their line above could not be posted: ${named}${more} (*Show per-instance table* lists every host).`;
}

/** What the status message shows, from the fleet request's counters. Pure. */
export function snapshotOf(fleet: FleetRecord, now: number): FleetProgressSnapshot {
  const sent = Object.values(fleet.waveSent).reduce((sum, count) => sum + count, 0);
  const ended = Object.values(fleet.waveEnded).reduce((sum, count) => sum + count, 0);
  const current = Math.max(0, ...Object.keys(fleet.waveSent).map(Number));
  return {
    requestId: fleet.requestId,
    target: fleet.target,
    phase: fleet.phase,
    total: fleet.instanceIds.length,
    done: fleet.done,
    failed: fleet.failed,
    skipped: fleet.skipped,
    unknown: fleet.unknown,
    inFlight: Math.max(0, sent - ended),
    wave: { index: current, count: fleet.waves.length },
    startedAt: fleet.startedAt,
    now,
    finished: fleet.completedAt !== undefined,
    ...(fleet.haltedReason !== undefined ? { haltedReason: fleet.haltedReason } : {}),
  };
}

/** A `tag:K=V` label back into its tag; any other source is named by the allow tag (what every host of it carries). */
function tagOf(label: string, allowTag: { key: string; value: string }): { key: string; value: string } {
  const match = /^tag:([^=]+)=(.+)$/.exec(label);
  return match?.[1] && match[2] ? { key: match[1], value: match[2] } : { ...allowTag };
}
