import type { AppLogger } from '../../logger';
import type { FleetCheckStarter, FleetSource } from '../../remediation/fleet/types';
import type { EphemeralPoster, ScanJob, ScanRestartJob } from '../../remediation/jobs';
import type { ScanStore } from '../../remediation/scan/scan-store';
import { formatTarget } from '../../core/remediation/targets';

export const SCAN_JOB_COPY = {
  unavailable: 'The fleet check is not available in this deployment yet, so nothing was checked. Ask the shim-fix admin.',
  failed: 'Something went wrong before the scan started, so nothing was checked. Run it again; if it keeps failing, ask the shim-fix admin to check the logs.',
  scanGone: (scanId: string) => `Scan \`${scanId}\` is no longer stored, so shim-fix does not know its hosts. Run \`/shim-fix scan\` again.`,
  noStale: (scanId: string) => `Scan \`${scanId}\` found no stale daemon to restart.`,
} as const;

export interface ScanJobDeps {
  /** The fleet flow (lambda/remediation/fleet/); undefined where it is not wired. */
  fleet: FleetCheckStarter | undefined;
  store: Pick<ScanStore, 'getScan'>;
  logger: AppLogger;
}

/**
 * A scan: the read-only fleet check with purpose `scan` over every allow-tagged instance, or one tag (both tags are
 * still required of every host). Its report comes from the completion (scan-completion.ts). A refusal goes to the
 * operator who asked; a scheduled scan has nobody to tell, so it is logged as an error in the worker's log group.
 */
export async function runScanJob(job: ScanJob, chat: EphemeralPoster, deps: ScanJobDeps): Promise<void> {
  const source: FleetSource = job.tag ? { kind: 'tag', key: job.tag.key, value: job.tag.value } : { kind: 'allow-tagged' };
  const tell = async (text: string) => {
    if (job.requestedBy !== undefined) await chat.postEphemeral({ channel: job.channelId, user: job.requestedBy, text });
    else deps.logger.error('the scheduled scan did not start', { channel: job.channelId, reason: text });
  };
  await start(deps, tell, { purpose: 'scan', channelId: job.channelId, ...(job.requestedBy !== undefined ? { requestedBy: job.requestedBy } : {}), source });
}

/**
 * The scan report's "Restart the N stale hosts…": the same evidence-first flow as every restart — a fresh fleet
 * check of exactly the stale-daemon hosts stored with the scan, then the plan card to whoever clicked. Never a
 * restart from the scan's (possibly hours old) findings.
 */
export async function runScanRestartJob(job: ScanRestartJob, chat: EphemeralPoster, deps: ScanJobDeps): Promise<void> {
  const tell = async (text: string) => {
    await chat.postEphemeral({ channel: job.channelId, user: job.userId, text });
  };
  const scan = await deps.store.getScan(job.scanId);
  if (scan === undefined) return tell(SCAN_JOB_COPY.scanGone(job.scanId));
  if (scan.staleDaemon.length === 0) return tell(SCAN_JOB_COPY.noStale(job.scanId));
  const count = scan.staleDaemon.length;
  // Success says nothing more: the click was already answered ("Checking … again first"), and the plan card follows.
  await start(deps, tell, {
    purpose: 'restart',
    channelId: job.channelId,
    requestedBy: job.userId,
    source: { kind: 'instances', instanceIds: [...scan.staleDaemon], label: `${count} stale host${count === 1 ? '' : 's'} of scan ${job.scanId}` },
  });
}

async function start(deps: ScanJobDeps, tell: (text: string) => Promise<void>, input: Parameters<FleetCheckStarter['startFleetCheck']>[0]): Promise<boolean> {
  if (deps.fleet === undefined) {
    await tell(SCAN_JOB_COPY.unavailable);
    return false;
  }
  try {
    const outcome = await deps.fleet.startFleetCheck(input);
    if ('refused' in outcome) {
      await tell(outcome.refused);
      return false;
    }
    deps.logger.info('fleet check started', { purpose: input.purpose, checkRequestId: outcome.checkRequestId, channel: input.channelId });
    return true;
  } catch (error) {
    deps.logger.error('could not start the fleet check', { purpose: input.purpose, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    await tell(SCAN_JOB_COPY.failed);
    return false;
  }
}

/** How a scan's target reads (`every allow-tagged instance`, `tag:team=payments`), for the Slack answer. */
export function scanTargetText(tag: { key: string; value: string } | undefined): string {
  return tag === undefined ? 'every allow-tagged instance' : formatTarget({ kind: 'fleet', tag });
}
