import type { AppLogger } from '../../logger';
import type { FleetCheckCompletion, FleetCheckSummary } from '../../remediation/fleet/types';
import { buildScanReport, scanRecordOf } from '../../remediation/scan/scan-report';
import type { ScanStore } from '../../remediation/scan/scan-store';
import type { EphemeralPoster } from '../../remediation/jobs';
import { slackErrorCode } from '../answer-paste';
import { buildScanReportMessage, scanCleanText } from './scan-report-message';

export interface ScanCompletionDeps {
  store: Pick<ScanStore, 'saveScan'>;
  chat: EphemeralPoster & { postMessage(args: { channel: string; text: string; blocks?: unknown[] }): Promise<unknown> };
  logger: AppLogger;
}

/**
 * The scan's {@link FleetCheckCompletion} (purpose `scan`): the fleet flow calls it once per scan, when every host
 * answered or the give-up bound passed. The record is saved first (App Home's "last scan", and the stale ids the
 * report's button restarts-after-checking), then the channel gets a report only when hosts will fail new containers.
 * A clean fleet posts nothing to the channel; the operator who ran `/shim-fix scan` is told so, privately.
 *
 * @example
 * // Built in by createFleetService (fleet-wiring.ts) for every chat the fleet flow posts with:
 * new ScanCompletion({ store, chat: web.chat, logger });
 */
export class ScanCompletion implements FleetCheckCompletion {
  public constructor(private readonly deps: ScanCompletionDeps) {}

  public async complete(summary: FleetCheckSummary): Promise<void> {
    if (summary.purpose !== 'scan') return;
    const record = scanRecordOf(summary);
    await this.deps.store.saveScan(record);
    const report = buildScanReport(summary);
    try {
      if (report !== undefined) await this.deps.chat.postMessage({ channel: record.channelId, ...buildScanReportMessage(report) });
      else if (record.requestedBy !== undefined) await this.deps.chat.postEphemeral({ channel: record.channelId, user: record.requestedBy, text: scanCleanText(record) });
    } catch (error) {
      // The completion is claimed once, so a throw would not bring the post back: say plainly what to fix instead.
      // `not_in_channel`: the scan channel must have the bot invited (docs/deploy.md).
      this.deps.logger.error('could not post the scan report', {
        scanId: record.scanId,
        channel: record.channelId,
        failing: report?.failing ?? 0,
        slackError: slackErrorCode(error),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
}
