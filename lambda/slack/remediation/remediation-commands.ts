import type { App, BlockAction, RespondFn, ButtonAction, SlackActionMiddlewareArgs, AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { IdempotencyStore } from '../../aws/idempotency-store';
import type { RemediationStore } from '../../aws/remediation-store-types';
import { ErrorCode, isCodedError } from '../../core/errors';
import { TargetInvalidError } from '../../core/remediation/errors';
import { formatTarget, parseTarget } from '../../core/remediation/targets';
import type { RemediationAction } from '../../core/remediation/types';
import type { AppLogger } from '../../logger';
import type { ActionId } from '../../remediation/actions';
import { remediationJobSchema, type JobQueue } from '../../remediation/jobs';
import { slackErrorCode } from '../answer-paste';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { clickKey, parseAction } from '../listeners/runbook-actions';
import { IDS, type RemediationCommandInput, type RemediationCommands } from '../types';
import { buildCheckModal, readCheckModal } from './check-modal';
import { claimClick } from './click-claim';
import { REMEDIATION_IDS } from './ids';
import { buildPlanOutcome } from './plan-card';
import type { ConfirmClaim, RemediationService } from '../../remediation/remediation-service';
import { describeConfirm } from './confirm-job';
import type { FleetRollout } from '../../remediation/fleet/fleet-rollout';
import { registerFleetPlanListeners } from './fleet-plan-listener';
import { registerFleetTableListener } from './fleet-table-listener';
import { onScanRestart, parseScanCommand, startFleetCheck, startScan, type ScanCommandDeps } from './scan-command';
import { SCAN_RESTART_ACTION_ID } from './scan-report-message';

export const REMEDIATION_COPY = {
  usage: 'Name the instance: `/shim-fix check i-0123456789abcdef0` (read-only) or `/shim-fix restart i-0123456789abcdef0`. A fleet: `tag:team=payments`.',
  notInChannel:
    'Nothing ran: shim-fix cannot post the status message in this channel. Invite it with `/invite @shim-fix`, then run the command again.',
  checking: (target: string) =>
    `Checking \`${target}\` first (read-only: versions, binaries, Docker settings). The plan follows here in a minute; a restart is offered only if the check shows it will help.`,
  alreadyChecking: (target: string) =>
    `You already clicked Restart for \`${target}\`: its check is running and the plan card follows here. Nothing more was started.`,
  planningCheck: (target: string) => `Planning the check of \`${target}\` (read-only); its card follows here in a moment.`,
  confirmed: (target: string, requestId: string) =>
    `Confirmed (request \`${requestId}\`). shim-fix checks \`${target}\` once more and sends the command; the status message follows in the channel and the outcome here.`,
  confirmFailed: 'Something went wrong before the command was sent, so nothing ran. Run the command again; if it keeps failing, ask the shim-fix admin to check the logs.',
  queueUnavailable: 'shim-fix could not start the check right now, so nothing ran. Try again in a minute; if it keeps failing, ask the shim-fix admin to check the logs.',
  storeUnavailable:
    'shim-fix cannot reach its table (DynamoDB) right now. The table holds the per-instance locks that stop two restarts ' +
    'from overlapping, so shim-fix refuses rather than risk restarting a runtime twice. Nothing ran. Try again in a few minutes; ' +
    'if it keeps failing, ask the shim-fix admin to check the table.',
} as const;

/** The remediation store (DynamoDB) failed: locks and plans cannot be trusted, so nothing may be sent. */
function isStoreFailure(error: unknown): boolean {
  return isCodedError(error) && error.code === ErrorCode.RemediationStoreFailed;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * The Slack side of remediation: `/shim-fix check|restart <target>`, the plan card's Confirm and Cancel, the Restart
 * button under a check result, and the "Check an instance…" modal on diagnosis cards. Listeners read like the story:
 * plan, show the card; confirm, post the status and send; everything else is a specific message.
 */
export class SlackRemediationCommands implements RemediationCommands {
  public constructor(
    private readonly service: RemediationService,
    private readonly store: RemediationStore,
    private readonly logger: AppLogger,
    private readonly queue: JobQueue,
    /** Who may scan (as for `check`: lambda/core/remediation/authorisation.ts); empty means nobody. */
    private readonly operators: readonly string[] = [],
    /** The fleet plan card's Confirm (lambda/remediation/fleet/): its buttons are registered when given. */
    private readonly fleetConfirm?: FleetRollout,
    /** Where a click is claimed once (the Slack handler's idempotency store): a double click starts one check. */
    private readonly clicks?: IdempotencyStore,
  ) {}

  public async handleCommand(input: RemediationCommandInput): Promise<void> {
    const scan = parseScanCommand(input.text);
    if (scan !== undefined) {
      await startScan(scan, input, this.scanDeps());
      return;
    }
    const { action, targetText } = splitCommand(input.text);
    if (targetText === '') {
      await input.respond({ response_type: 'ephemeral', text: REMEDIATION_COPY.usage });
      return;
    }
    const fleetTag = action === 'check' ? fleetTagOf(targetText) : undefined;
    if (fleetTag) {
      // One summary for the whole fleet (the scan's check), never one thread post per host.
      const tell = (text: string) => input.respond({ response_type: 'ephemeral', replace_original: false, text });
      await startFleetCheck(fleetTag, { ...input, tell }, this.scanDeps());
      return;
    }
    // Either way the plan asks SSM (preflight, document version): that happens outside Slack's request.
    await this.handOver(action === 'restart' ? 'check-first' : 'plan-check', { userId: input.userId, channelId: input.channelId, targetText, respond: input.respond, client: input.client });
  }

  public register(app: App): void {
    // The plain Confirm sends the plan's own action (a check, or a containerd-only restart).
    app.action<BlockAction<ButtonAction>>(REMEDIATION_IDS.confirm, (args) => this.onConfirm(args));
    app.action<BlockAction<ButtonAction>>(REMEDIATION_IDS.confirmWithDocker, (args) => this.onConfirm(args, 'restart-with-docker'));
    app.action<BlockAction<ButtonAction>>(REMEDIATION_IDS.cancel, (args) => this.onCancel(args));
    app.action<BlockAction<ButtonAction>>(REMEDIATION_IDS.restartFromCheck, (args) => this.onRestartFromCheck(args));
    app.action<BlockAction<ButtonAction>>(IDS.remediationCheckOpen, (args) => this.onCheckOpen(args));
    app.view<ViewSubmitAction>(REMEDIATION_IDS.checkModal, (args) => this.onCheckSubmit(args));
    registerFleetTableListener(app, { outcomes: this.store, logger: this.logger });
    if (this.fleetConfirm) registerFleetPlanListeners(app, { rollout: () => this.fleetConfirm, queue: this.queue, logger: this.logger });
    app.action<BlockAction<ButtonAction>>(SCAN_RESTART_ACTION_ID, (args) => onScanRestart(args, this.scanDeps()));
  }

  private scanDeps(): ScanCommandDeps {
    return { operators: this.operators, queue: this.queue, logger: this.logger, ...(this.clicks ? { clicks: this.clicks } : {}) };
  }

  /**
   * A restart request never shows a card at once: the target is parsed here (instant), then the check-first job
   * plans it and sends the read-only check outside this request, so Slack's answer never waits for SSM.
   */
  private async handOver(kind: 'check-first' | 'plan-check', input: { userId: string; channelId: string; targetText: string; respond: RespondFn; client: WebClient }): Promise<boolean> {
    let shown: string;
    try {
      shown = formatTarget(parseTarget(input.targetText));
    } catch (error) {
      if (!(error instanceof TargetInvalidError)) throw error;
      await input.respond({ response_type: 'ephemeral', replace_original: false, text: error.message });
      return false;
    }
    // Who and where come from the payload: a request that does not name them properly is refused here, not queued.
    const job = remediationJobSchema.safeParse({ kind, userId: input.userId, channelId: input.channelId, targetText: input.targetText });
    if (!job.success) {
      this.logger.warn('refusing a restart request without a usable user or channel', { problem: job.error.issues.map((issue) => issue.path.join('.')).join(', ') });
      await input.respond({ response_type: 'ephemeral', replace_original: false, text: REMEDIATION_COPY.queueUnavailable });
      return false;
    }
    try {
      await this.queue.enqueue(job.data, { chat: input.client.chat });
    } catch (error) {
      this.logger.error('could not hand over the remediation job', { kind, error: describeError(error) });
      await input.respond({ response_type: 'ephemeral', replace_original: false, text: REMEDIATION_COPY.queueUnavailable });
      return false;
    }
    await input.respond({ response_type: 'ephemeral', replace_original: false, text: kind === 'check-first' ? REMEDIATION_COPY.checking(shown) : REMEDIATION_COPY.planningCheck(shown) });
    return true;
  }

  /**
   * Confirm (and the Docker-consent button): inside Slack's request only the table is touched (plan consumed once,
   * instances locked); the re-check and the SendCommand go to the remediation worker, so the answer never waits for SSM.
   */
  private async onConfirm({ ack, body, action, respond, client }: ButtonArgs, actionId?: ActionId): Promise<void> {
    await ack();
    const userId = body.user.id;
    let claim: ConfirmClaim;
    try {
      claim = await this.service.claimConfirm({ planId: action.value ?? '', userId, ...(actionId ? { actionId } : {}) });
    } catch (error) {
      this.logger.error('confirm failed', { error: describeError(error) });
      await respond({ replace_original: true, ...buildPlanOutcome(isStoreFailure(error) ? REMEDIATION_COPY.storeUnavailable : REMEDIATION_COPY.confirmFailed) });
      return;
    }
    if (claim.kind !== 'claimed') {
      // Replacing the card removes its buttons: whatever happened, this card cannot be clicked again.
      await respond({ replace_original: true, ...buildPlanOutcome(await describeConfirm(claim, client.chat)) });
      return;
    }
    const { plan } = claim;
    const job = { kind: 'confirm', userId, channelId: plan.channelId, requestId: plan.requestId, planId: plan.planId, actionId: claim.actionId } as const;
    try {
      await this.queue.enqueue(job, { chat: client.chat });
    } catch (error) {
      this.logger.error('could not hand over the confirmed request', { requestId: plan.requestId, error: describeError(error) });
      await this.service.abandonClaim(plan, `could not hand over to the remediation worker: ${describeError(error)}`.slice(0, 1000));
      await respond({ replace_original: true, ...buildPlanOutcome(REMEDIATION_COPY.queueUnavailable) });
      return;
    }
    await respond({ replace_original: true, ...buildPlanOutcome(REMEDIATION_COPY.confirmed(formatTarget(plan.target), plan.requestId)) });
  }

  private async onCancel({ ack, body, action, respond }: ButtonArgs): Promise<void> {
    await ack();
    const { message } = await this.service.cancel({ planId: action.value ?? '', userId: body.user.id });
    await respond({ replace_original: true, ...buildPlanOutcome(message) });
  }

  private async onRestartFromCheck({ ack, body, action, respond, client }: ButtonArgs): Promise<void> {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
    const targetText = action.value ?? '';
    // One check per person, check result and button (clickKey): a double click must not plan (and show) the same
    // restart twice. A payload without a value is refused by the hand-over below, so it needs no claim.
    const clicked = parseAction(body);
    const click = clicked ? await claimClick(clickKey(clicked), { clicks: this.clicks, logger: this.logger }) : undefined;
    if (click?.taken) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: REMEDIATION_COPY.alreadyChecking(escapeMrkdwn(targetText.slice(0, 100))) });
      return;
    }
    // A check result in the thread may be old: the restart is planned from a fresh check, like every restart.
    const started = await this.handOver('check-first', { userId: body.user.id, channelId, targetText, respond, client });
    if (!started) await click?.release();
  }

  private async onCheckOpen({ ack, body, client }: ButtonArgs): Promise<void> {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const threadTs = body.message?.thread_ts ?? body.message?.ts ?? body.container?.thread_ts;
    await client.views.open({ trigger_id: body.trigger_id, view: buildCheckModal({ channelId, threadTs }) });
  }

  private async onCheckSubmit({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> {
    const { targetText, channelId, threadTs } = readCheckModal(view);
    let target;
    try {
      target = parseTarget(targetText);
    } catch (error) {
      if (error instanceof TargetInvalidError) {
        await ack({ response_action: 'errors', errors: { [REMEDIATION_IDS.checkModalBlock]: error.message.slice(0, 150) } });
        return;
      }
      throw error;
    }
    // The plan asks SSM (preflight, document version): the worker does it, so the modal closes at once whatever SSM does.
    await ack();
    const userId = body.user.id;
    const tell = async (text: string): Promise<void> => {
      try {
        if (channelId) await client.chat.postEphemeral({ channel: channelId, user: userId, ...(threadTs ? { thread_ts: threadTs } : {}), text });
        else await client.chat.postMessage({ channel: userId, text });
      } catch (error) {
        this.logger.warn('could not answer the check modal', { slackError: slackErrorCode(error) });
      }
    };
    if (target.kind === 'fleet') return startFleetCheck(target.tag, { userId, channelId: channelId ?? userId, client, tell }, this.scanDeps());
    const job = remediationJobSchema.safeParse({ kind: 'plan-check', userId, channelId: channelId ?? userId, targetText, ...(threadTs ? { threadTs } : {}) });
    if (!job.success) {
      this.logger.warn('refusing a check modal without a usable user, channel or thread', { problem: job.error.issues.map((issue) => issue.path.join('.')).join(', ') });
      await tell(REMEDIATION_COPY.queueUnavailable);
      return;
    }
    try {
      await this.queue.enqueue(job.data, { chat: client.chat });
    } catch (error) {
      this.logger.error('could not hand over the check modal', { error: describeError(error) });
      await tell(REMEDIATION_COPY.queueUnavailable);
      return;
    }
    await tell(REMEDIATION_COPY.planningCheck(formatTarget(target)));
  }
}

/** The fleet tag of `tag:K=V`; undefined for an instance or a malformed target (the check path explains those). */
function fleetTagOf(targetText: string): { key: string; value: string } | undefined {
  try {
    const target = parseTarget(targetText);
    return target.kind === 'fleet' ? target.tag : undefined;
  } catch (error) {
    if (error instanceof TargetInvalidError) return undefined;
    throw error;
  }
}

/** `check <t>` and `restart <t>` name the action; a bare target means restart (DESIGN "Remediation"). */
export function splitCommand(text: string): { action: RemediationAction; targetText: string } {
  const trimmed = text.trim();
  const match = /^(check|restart)(?:\s+([\s\S]*))?$/i.exec(trimmed);
  if (match) return { action: (match[1] ?? '').toLowerCase() as RemediationAction, targetText: (match[2] ?? '').trim() };
  return { action: 'restart', targetText: trimmed };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
