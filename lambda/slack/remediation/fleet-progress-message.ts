import type { KnownBlock } from '@slack/types';
import { button } from '../blocks/answer-card';
import { fitMessage, SLACK_LIMITS, truncateMrkdwn, type SlackMessage } from '../blocks/limits';
import { code, mrkdwn, type Mrkdwn } from '../blocks/mrkdwn';
import { PROGRESS_MIN_INTERVAL_MS, progressFraction, type FleetProgressSnapshot } from '../../remediation/fleet/progress';

/** The "Show per-instance table" button on the status message; its value is the fleet request id. */
export const FLEET_TABLE_ACTION_ID = 'fleet_show_table';

const BAR_CELLS = 10;

/**
 * The one public status message of a fleet request: a text progress bar, done / total, failed, skipped, in flight,
 * elapsed, the current wave, why it stopped, and a button that posts the per-instance table in the thread. Rebuilt
 * from a snapshot each time (call it through `progressUpdateDue`, lambda/remediation/fleet/progress.ts), so a
 * repeated render shows the same thing. Its size does not grow with the fleet: 1,000 hosts render as 5 blocks.
 *
 * @example
 * await chat.update({ channel, ts, ...buildFleetProgressMessage(snapshot) });
 */
export function buildFleetProgressMessage(snapshot: FleetProgressSnapshot): SlackMessage {
  const fraction = progressFraction(snapshot);
  const percent = percentOf(snapshot, fraction);
  const hosts = `${formatCount(snapshot.total)} host${snapshot.total === 1 ? '' : 's'}`;
  const doing = snapshot.phase === 'check' ? mrkdwn`Checking ${hosts}` : mrkdwn`Restarting containerd on ${hosts}`;
  const heading = snapshot.haltedReason !== undefined
    ? mrkdwn`:octagonal_sign: *Stopped:* ${doing} in ${code(snapshot.target)}`
    : snapshot.finished
      ? mrkdwn`:white_check_mark: *Finished:* ${doing} in ${code(snapshot.target)}`
      : mrkdwn`:gear: *${doing}* in ${code(snapshot.target)}`;
  const fields: Mrkdwn[] = [
    mrkdwn`*Done*\n${formatCount(snapshot.done)} / ${formatCount(snapshot.total)}`,
    mrkdwn`*Failed*\n${snapshot.failed > 0 ? ':x: ' : ''}${formatCount(snapshot.failed)}`,
    mrkdwn`*Skipped*\n${formatCount(snapshot.skipped)}`,
    mrkdwn`*In flight*\n${formatCount(snapshot.inFlight)}`,
    ...(snapshot.unknown ? [mrkdwn`*Unknown*\n:grey_question: ${formatCount(snapshot.unknown)}`] : []),
    mrkdwn`*Elapsed*\n${formatElapsed(snapshot.now - snapshot.startedAt)}`,
  ];
  if (snapshot.wave.count > 0) fields.push(mrkdwn`*Wave*\n${snapshot.wave.index} of ${snapshot.wave.count}`);

  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading.text, verbatim: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: mrkdwn`${code(progressBar(fraction))} *${percent} %*`.text },
      fields: fields.map((field) => ({ type: 'mrkdwn', text: field.text, verbatim: true })),
    },
  ];
  if (snapshot.haltedReason !== undefined) {
    const reason = truncateMrkdwn(mrkdwn`${snapshot.haltedReason}`.text, SLACK_LIMITS.sectionText - 40);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:octagonal_sign: ${reason}`, verbatim: true } });
  }
  const cadence = snapshot.finished ? 'final counts' : `updated at most every ${Math.round(PROGRESS_MIN_INTERVAL_MS / 1000)} s`;
  blocks.push(
    { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn`Request ${code(snapshot.requestId)} · ${cadence} · failures are posted in the thread as they happen`.text }] },
    { type: 'actions', block_id: 'fleet_progress_actions', elements: [button(FLEET_TABLE_ACTION_ID, 'Show per-instance table', snapshot.requestId)] },
  );
  const verb = snapshot.phase === 'check' ? 'Check' : 'Restart';
  const state = snapshot.haltedReason !== undefined ? 'stopped' : snapshot.finished ? 'finished' : `${percent} %`;
  return fitMessage({
    text: `${verb} of ${snapshot.target}: ${state}, ${snapshot.done} of ${snapshot.total} done, ${snapshot.failed} failed, ${snapshot.skipped} skipped`,
    blocks,
  });
}

/**
 * `▓▓▓▓▓░░░░░` for 0.5: ten cells, a cell filled only once its whole tenth is finished, so a bar is full only when
 * everything is.
 *
 * @example
 * progressBar(0.48) // '▓▓▓▓░░░░░░'
 */
export function progressBar(fraction: number, cells = BAR_CELLS): string {
  const filled = Math.min(cells, Math.max(0, Math.floor(fraction * cells + 1e-9)));
  return '▓'.repeat(filled) + '░'.repeat(cells - filled);
}

/**
 * `4 min 12 s`, `45 s`, `1 h 3 min`: what a reader needs to judge a rollout's pace, no more.
 *
 * @example
 * formatElapsed(252_000) // '4 min 12 s'
 */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

// 99 % until the last host is finished: a rounded 100 % next to "3 in flight" would say it is over when it is not.
function percentOf(snapshot: FleetProgressSnapshot, fraction: number): number {
  const finished = snapshot.done + snapshot.failed + snapshot.skipped + (snapshot.unknown ?? 0) >= snapshot.total;
  return finished ? 100 : Math.min(99, Math.floor(fraction * 100));
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
