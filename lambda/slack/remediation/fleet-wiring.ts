import type { KnownBlock } from '@slack/types';
import type { AppLogger } from '../../logger';
import type { FleetDeps, FleetNotifier } from '../../remediation/fleet/fleet-deps';
import type { FleetRollout } from '../../remediation/fleet/fleet-rollout';
import { FleetService } from '../../remediation/fleet/fleet-service';
import type { FleetCheckCompletion, FleetCheckPurpose, FleetCheckSummary } from '../../remediation/fleet/types';
import type { JobChat, JobQueue } from '../../remediation/jobs';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { buildFleetPlanCard } from './fleet-plan-card';
import { delivered } from './delivered';
import { buildFleetProgressMessage } from './fleet-progress-message';
import { ScanCompletion } from './scan-completion';

/**
 * The fleet flow wired for Slack: the status message rendered with the progress message builder, lines in its
 * thread, the plan card as the `restart` completion (ephemeral, to the requester), and waves handed to the worker
 * through the job queue. Used wherever fleet work happens: the Slack handler, the worker, the status handler.
 */
export interface FleetWiring {
  chat: JobChat;
  /** Where the next wave goes (the worker in Lambda; in process locally). */
  queue?: JobQueue;
  /** Completions to use instead of the built-in ones (`restart`: the plan card; `scan`: the scan report). */
  completions?: Partial<Record<FleetCheckPurpose, FleetCheckCompletion>>;
}

export function createFleetService(base: Omit<FleetDeps, 'completions' | 'notifier' | 'waves'>, wiring: FleetWiring): FleetService {
  const { chat, queue } = wiring;
  const service: FleetService = new FleetService({
    ...base,
    notifier: slackFleetNotifier(chat),
    completions: {
      restart: new FleetPlanCardCompletion((): FleetRollout => service.rollout, chat, base.logger),
      // The scan's report posts with the same chat, wherever the check completes (status handler, sweeper, worker).
      scan: new ScanCompletion({ store: base.store, chat, logger: base.logger }),
      ...wiring.completions,
    },
    // Without a queue (the worker itself, which may send) the next wave is sent in this invocation.
    waves: { scheduleWave: async (requestId, wave) => (queue ? queue.enqueue({ kind: 'fleet-wave', requestId, wave }, { chat }) : void (await service.rollout.runWave(requestId, wave))) },
  });
  return service;
}

export function slackFleetNotifier(chat: JobChat): FleetNotifier {
  const section = (text: string): KnownBlock[] => [{ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }];
  return {
    postStatus: async (channelId, snapshot) => {
      const posted = await chat.postMessage({ channel: channelId, ...buildFleetProgressMessage(snapshot) });
      if (!posted.ts || !posted.channel) throw new Error('chat.postMessage returned no ts');
      return { channel: posted.channel, ts: posted.ts };
    },
    updateStatus: async (where, snapshot) => {
      await chat.update({ channel: where.channel, ts: where.ts, ...buildFleetProgressMessage(snapshot) });
    },
    // Thread lines carry host-reported details (a failed restart's message): escaped, so a host cannot ping a channel.
    // A failed post says whether Slack may have shown it (DeliveryError), so the rollout never posts a line twice.
    postInThread: async (where, text) => {
      const safe = escapeMrkdwn(text);
      await delivered(chat.postMessage({ channel: where.channel, thread_ts: where.ts, text: safe, blocks: section(safe) }));
    },
    tellRequester: async (channelId, userId, text) => {
      await chat.postEphemeral({ channel: channelId, user: userId, text, blocks: section(text) });
    },
  };
}

/** The `restart` purpose: the plan made from the check goes to the requester as the fleet plan card. */
export class FleetPlanCardCompletion implements FleetCheckCompletion {
  public constructor(
    private readonly rollout: () => FleetRollout | undefined,
    private readonly chat: Pick<JobChat, 'postEphemeral'>,
    private readonly logger: AppLogger,
  ) {}

  public async complete(summary: FleetCheckSummary): Promise<void> {
    const rollout = this.rollout();
    if (summary.purpose !== 'restart' || !rollout || !summary.requestedBy) return;
    const plan = await rollout.planFromCheck(summary);
    try {
      await this.chat.postEphemeral({ channel: summary.channelId, user: summary.requestedBy, ...buildFleetPlanCard(summary, plan) });
    } catch (error) {
      // Claimed once: a throw would not bring the card back. The plan expires unconfirmed; the audit trail has the check.
      this.logger.error('could not post the fleet plan card', { checkRequestId: summary.checkRequestId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
}
