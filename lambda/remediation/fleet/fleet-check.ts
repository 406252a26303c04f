import { classifyAwsError, provesNothingRan } from '../../core/remediation/aws-failure';
import { authorise } from '../../core/remediation/authorisation';
import { isTerminalStatus } from '../../core/remediation/command-status';
import { buildComment } from '../../core/remediation/comment';
import { AwsCallError } from '../../core/remediation/errors';
import { formatTag, refuseAllowTagFleet, selectFleet } from '../../core/remediation/preflight';
import type { DocumentRef, FleetFacts } from '../../core/remediation/types';
import { ACTIONS } from '../actions';
import { categorise, countCategories, unreachable } from './categorise';
import { batchRollout, CHECK_GIVE_UP_MS, describeError, type FleetDeps } from './fleet-deps';
import type { FleetRecord } from './fleet-store';
import { sendBatches } from './waves';
import type { FleetCheckStartInput, FleetCheckStarter, FleetCheckSummary, FleetFinding, FleetSource } from './types';

/** Batches sent at once: SSM's SendCommand rate is shared with everything else in the account. */
const PARALLEL_SENDS = 4;

/**
 * The fleet check: read-only, across the whole fleet first. Runs in the remediation worker (it asks SSM), records each
 * instance's finding exactly once as its result arrives through the status path, and completes once — when every
 * instance has reported, or the sweeper's give-up bound passed — through the completion port of its purpose.
 */
export class FleetCheck implements FleetCheckStarter {
  public constructor(private readonly deps: FleetDeps) {}

  public async startFleetCheck(input: FleetCheckStartInput): Promise<{ checkRequestId: string } | { refused: string }> {
    const { ssm, store, logger, allowTag } = this.deps;
    if (input.requestedBy !== undefined) {
      // A scheduled scan has no person to authorise; anyone else must be an operator, as for every check.
      const allowed = authorise(input.requestedBy, this.deps.operators, input.purpose === 'restart' ? 'restart' : 'check');
      if (!allowed.allowed) return { refused: allowed.message };
    }
    const refusedTag = input.source.kind === 'tag' ? refuseAllowTagFleet({ kind: 'fleet', tag: { key: input.source.key, value: input.source.value } }, allowTag) : undefined;
    if (refusedTag) return { refused: refusedTag };

    let facts: FleetFacts;
    let checkDocument: DocumentRef;
    let restartDocument: DocumentRef | undefined;
    try {
      [facts, checkDocument, restartDocument] = await Promise.all([
        ssm.describeFleet(input.source.kind === 'tag' ? { key: input.source.key, value: input.source.value } : allowTag),
        ssm.documentVersion(this.deps.checkDocument),
        // The restart the card will offer is pinned now: the status path that shows the card cannot describe documents.
        input.purpose === 'restart' ? ssm.documentVersion(this.deps.restartDocument) : Promise.resolve(undefined),
      ]);
    } catch (error) {
      logger.warn('fleet check preflight failed', { error: describeError(error) });
      const awsName = error instanceof AwsCallError ? error.awsName : classifyAwsError(error).awsName;
      return { refused: `shim-fix could not read the fleet from Systems Manager (${awsName}), so nothing was checked. Try again in a minute.` };
    }
    const { eligible, missing } = restrictTo(facts, input.source);
    const selection = selectFleet(eligible, allowTag);
    if (!selection.ok) return { refused: selection.message };

    const requestId = this.deps.newId('r');
    const now = this.deps.now();
    const target = labelOf(input.source, allowTag);
    const notReady = [...selection.notReady, ...missing.map((instanceId) => ({ instanceId, reason: 'not an online, allow-tagged instance managed by SSM' }))];
    const instanceIds = [...selection.instanceIds, ...notReady.map((entry) => entry.instanceId)].sort();
    await store.createAudit({
      requestId,
      action: 'check',
      target,
      requestedBy: input.requestedBy ?? 'shim-fix (schedule)',
      channelId: input.channelId,
      createdAt: new Date(now).toISOString(),
      state: 'planned',
      instanceIds,
      document: checkDocument,
      fleet: { phase: 'check' },
    });
    await store.createFleet({
      requestId,
      phase: 'check',
      purpose: input.purpose,
      target,
      channelId: input.channelId,
      ...(input.requestedBy !== undefined ? { requestedBy: input.requestedBy } : {}),
      instanceIds,
      createdAt: new Date(now).toISOString(),
      startedAt: now,
      giveUpAt: now + CHECK_GIVE_UP_MS,
      waves: [],
      withDocker: [],
      maxFailures: 0,
      ...(restartDocument ? { document: restartDocument } : {}),
    });
    // On the in-flight index for the sweeper: lost events are polled, and the give-up bound completes the check.
    await store.markSending(requestId);
    for (const { instanceId, reason } of notReady) await store.recordFinding(requestId, unreachable(instanceId, reason));
    await this.sendChecks(requestId, selection.instanceIds, checkDocument, input.requestedBy ?? 'schedule');
    logger.info('fleet check sent', { requestId, purpose: input.purpose, target, instances: instanceIds.length, left: notReady.length });
    await this.completeIfAllReported(requestId);
    return { checkRequestId: requestId };
  }

  /**
   * One terminal check invocation of a fleet check (the status path, or the sweeper filling in a lost event): records
   * the finding once; the answer that brings the count to the total completes the check. True when it was new.
   */
  public async recordAnswer(requestId: string, commandId: string, instanceId: string, status: string): Promise<boolean> {
    if (!isTerminalStatus(status)) return false;
    const { ssm, store } = this.deps;
    const fleet = await store.getFleet(requestId);
    if (!fleet || fleet.phase !== 'check' || !fleet.instanceIds.includes(instanceId)) return false;
    const invocation = await ssm.getCommandInvocation(commandId, instanceId);
    const result = ACTIONS.check.parseResult(invocation.stdout);
    const finding = categorise({ instanceId, status: invocation.status, ...(result ? { result } : {}) });
    const counted = await store.recordFinding(requestId, finding);
    if (!counted) return false;
    if (counted.reported >= counted.instanceIds.length) await this.complete(requestId);
    return true;
  }

  /** Past the give-up bound (the sweeper): every silent instance counts unreachable, and the check completes. */
  public async giveUp(after: FleetRecord, minutes: number): Promise<'givenUp'> {
    const { store } = this.deps;
    const { requestId } = after;
    const answered = new Set((await store.listFindings(requestId)).map((finding) => finding.instanceId));
    for (const instanceId of after.instanceIds.filter((id) => !answered.has(id))) {
      await store.recordFinding(requestId, unreachable(instanceId, `no check result within ${minutes} minutes`));
    }
    await this.complete(requestId);
    return 'givenUp';
  }

  private async sendChecks(requestId: string, instanceIds: readonly string[], document: DocumentRef, by: string): Promise<void> {
    const { ssm, store, logger } = this.deps;
    const queue = sendBatches(instanceIds);
    const worker = async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        try {
          // Read-only, so wide: the whole batch at once, and one host's failure stops nobody else's check.
          const { commandId } = await ssm.sendCommand({
            document,
            target: { kind: 'instance', instanceId: batch[0] ?? '' },
            instanceIds: batch,
            comment: buildComment(by, requestId),
            rollout: batchRollout(batch.length, batch.length),
          });
          await store.addFleetCommand(requestId, commandId);
        } catch (error) {
          logger.warn('SendCommand of a fleet check batch failed', { requestId, instances: batch.length, error: describeError(error) });
          const awsName = error instanceof AwsCallError ? error.awsName : classifyAwsError(error).awsName;
          // The check is read-only: whether or not it ran, these hosts gave no answer shim-fix can act on.
          const detail = provesNothingRan(error) ? `the check was not sent (${awsName})` : `SSM did not confirm the check (${awsName}); it may have run`;
          for (const instanceId of batch) await store.recordFinding(requestId, unreachable(instanceId, detail));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, queue.length) }, worker));
  }

  private async completeIfAllReported(requestId: string): Promise<void> {
    const fleet = await this.deps.store.getFleet(requestId);
    if (fleet && fleet.reported >= fleet.instanceIds.length) await this.complete(requestId);
  }

  /** Completes the check once: the summary goes to the completion port of its purpose, the audit record closes. */
  private async complete(requestId: string): Promise<void> {
    const { store, logger } = this.deps;
    if (!(await store.claimFleetCompletion(requestId))) return;
    const [fleet, findings] = await Promise.all([store.getFleet(requestId), store.listFindings(requestId)]);
    if (!fleet) return;
    const summary = summarise(fleet, findings, new Date(this.deps.now()).toISOString());
    const counts = Object.entries(summary.counts).filter(([, count]) => count > 0).map(([category, count]) => `${count} ${category}`).join(', ');
    await store.closeAudit(requestId, 'succeeded', `checked ${summary.total} instance(s): ${counts}`.slice(0, 1000));
    const completion = this.deps.completions[fleet.purpose];
    if (!completion) {
      logger.error('a fleet check completed with nobody to tell', { requestId, purpose: fleet.purpose });
      return;
    }
    await completion.complete(summary);
    logger.info('fleet check completed', { requestId, purpose: fleet.purpose, counts });
  }
}

function summarise(fleet: { requestId: string; purpose: FleetCheckSummary['purpose']; target: string; channelId: string; requestedBy?: string; instanceIds: string[] }, findings: FleetFinding[], completedAt: string): FleetCheckSummary {
  const counts = countCategories(findings);
  return {
    checkRequestId: fleet.requestId,
    purpose: fleet.purpose,
    target: fleet.target,
    channelId: fleet.channelId,
    ...(fleet.requestedBy !== undefined ? { requestedBy: fleet.requestedBy } : {}),
    total: fleet.instanceIds.length,
    counts,
    findings,
    completedAt,
    unreachable: counts.unreachable,
  };
}

/** For an `instances` source: only the named ids among the allow-tagged ones, and the named ids SSM did not list. */
function restrictTo(facts: FleetFacts, source: FleetSource): { eligible: FleetFacts; missing: string[] } {
  if (source.kind !== 'instances') return { eligible: facts, missing: [] };
  const wanted = new Set(source.instanceIds);
  const eligible = facts.eligible.filter((instance) => wanted.has(instance.instanceId));
  const listed = new Set(eligible.map((instance) => instance.instanceId));
  return { eligible: { ...facts, eligible, truncated: facts.truncated && eligible.length < wanted.size }, missing: [...wanted].filter((id) => !listed.has(id)).sort() };
}

function labelOf(source: FleetSource, allowTag: { key: string; value: string }): string {
  switch (source.kind) {
    case 'tag':
      return `tag:${source.key}=${source.value}`;
    case 'allow-tagged':
      return `every instance tagged ${formatTag(allowTag)}`;
    case 'instances':
      return source.label.slice(0, 200);
  }
}
