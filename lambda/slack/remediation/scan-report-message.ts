import type { KnownBlock } from '@slack/types';
import { button } from '../blocks/answer-card';
import { fitMessage, SLACK_LIMITS, truncateMrkdwn, type SlackMessage } from '../blocks/limits';
import { code, joinMrkdwn, mrkdwn, type Mrkdwn } from '../blocks/mrkdwn';
import { hostText } from '../../core/remediation/host-text';
import type { FailingKind, ScanRecord, ScanReport } from '../../remediation/scan/scan-report';

/** The report's "Restart the N stale hosts…" button; its value is the scan id (the ids are stored with the scan). */
export const SCAN_RESTART_ACTION_ID = 'scan_restart_stale';

/** How many instance ids a group lists before "and M more". */
export const SCAN_IDS_SHOWN = 10;

const KIND_COPY: Record<FailingKind, { title: (count: number) => string; why: string }> = {
  'stale-daemon': {
    title: (count) => `${count} stale daemon${count === 1 ? '' : 's'} after an upgrade`,
    why: 'the old containerd still runs and cannot start the new shim; a containerd restart fixes it',
  },
  'shim-newer-than-daemon': {
    title: (count) => `${count} shim${count === 1 ? '' : 's'} newer than ${count === 1 ? 'its' : 'their'} daemon`,
    why: 'a restart starts the same old containerd; install a containerd that matches the shim',
  },
};

/**
 * The scan's post to its channel, only ever built for a scan that found hosts that will fail new containers: how many,
 * which (the first ids, then "and M more"), why (one line per kind, host text escaped), and for the stale daemons a
 * button that starts the same evidence-first flow as every restart — a fresh check of exactly those hosts and a plan
 * card for whoever clicks it. Nothing restarts from this message.
 *
 * @example
 * const report = buildScanReport(summary);
 * if (report) await chat.postMessage({ channel: report.record.channelId, ...buildScanReportMessage(report) });
 */
export function buildScanReportMessage(report: ScanReport): SlackMessage {
  const { record } = report;
  const hosts = `${report.failing} host${report.failing === 1 ? '' : 's'}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${hosts} will fail new containers`.slice(0, SLACK_LIMITS.headerText) } },
    section(mrkdwn`Scan of ${code(record.target)}: ${record.checked} checked${record.unreachable > 0 ? mrkdwn`, ${record.unreachable} without an answer` : mrkdwn``}. New containers on these hosts fail with ${code('unsupported shim version')} or alike until they are fixed.`),
  ];
  for (const group of report.groups) {
    const copy = KIND_COPY[group.kind];
    const runbook = group.runbookId !== undefined ? mrkdwn` Runbook ${code(group.runbookId)}.` : mrkdwn``;
    blocks.push(section(mrkdwn`*${copy.title(group.instanceIds.length)}:* ${copy.why}.${runbook}\n${idList(group.instanceIds)}\n_Measured on ${code(group.instanceIds[0] ?? '')}:_ ${hostText(group.detail, 300)}`));
  }
  const stale = record.staleDaemon.length;
  if (stale > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'scan_report_actions',
      elements: [button(SCAN_RESTART_ACTION_ID, `Restart the ${stale} stale host${stale === 1 ? '' : 's'}…`, record.scanId, 'primary')],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: mrkdwn`Scan ${code(record.scanId)}${record.requestedBy === undefined ? mrkdwn` (scheduled)` : mrkdwn``}. ${stale > 0 ? 'The button checks those hosts again first and shows its plan card to whoever clicked; nothing restarts before Confirm. ' : ''}A clean fleet posts nothing.`.text,
      },
    ],
  });
  return fitMessage({ text: `shim-fix scan: ${hosts} will fail new containers (${record.target})`, blocks });
}

/** What the requester of an on-demand scan reads when the fleet is clean (the channel hears nothing). */
export function scanCleanText(record: Pick<ScanRecord, 'target' | 'checked' | 'unreachable'>): string {
  const silent = record.unreachable > 0 ? mrkdwn` (${record.unreachable} without an answer: offline, not Linux, or the check failed)` : mrkdwn``;
  return mrkdwn`Scan of ${code(record.target)}: clean: ${record.checked} host${record.checked === 1 ? '' : 's'} checked, none will fail new containers${silent}. Nothing was posted to the channel.`.text;
}

function idList(ids: readonly string[]): Mrkdwn {
  const shown = joinMrkdwn(ids.slice(0, SCAN_IDS_SHOWN).map((id) => code(id)), ', ');
  const more = ids.length - SCAN_IDS_SHOWN;
  return more > 0 ? mrkdwn`${shown} and ${more} more` : shown;
}

function section(text: Mrkdwn): KnownBlock {
  // Verbatim: Slack must not auto-link a host-reported name such as `evil.example`.
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text.text, SLACK_LIMITS.sectionText), verbatim: true } };
}
