import type { HomeView, KnownBlock } from '@slack/types';
import type { GapGroup } from '../../core/knowledge-gaps/gaps';
import { code, joinMrkdwn, link, mention, mrkdwn, type Mrkdwn } from '../blocks/mrkdwn';
import { SLACK_LIMITS, truncateMrkdwn } from '../blocks/limits';

/** One finished or running request, as App Home shows it. */
export interface RecentRequest {
  action: string;
  target: string;
  requestedBy: string;
  /** `succeeded`, `failed`, `refused`, …; undefined while it runs. */
  outcome?: string;
  /** ISO 8601. */
  createdAt: string;
  /** The public status message: a permalink when Slack gave one, else channel and ts. */
  thread?: { channel: string; ts: string; permalink?: string };
}

/** What a scheduled scan found (issue 13 point 3); absent until a scan exists. */
export interface LastScan {
  /** Milliseconds since the epoch. */
  at: number;
  checked: number;
  /** Instances that will fail new containers. */
  stale: readonly string[];
}

export interface HomeViewInput {
  viewer: string;
  operators: readonly string[];
  allowTag: { key: string; value: string };
  lastScan?: LastScan;
  /** `unavailable` when the store could not be read: said plainly rather than shown as "none". */
  recent: readonly RecentRequest[] | 'unavailable';
  gaps: readonly GapGroup[] | 'unavailable';
}

export const HOME_COPY = {
  nobody: mrkdwn`*Who may act:* nobody: remediation is off (set ${code('SHIM_FIX_OPERATORS')} to turn it on).`,
  youAreOperator: mrkdwn`You are an operator: ${code('/shim-fix check <instance>')} checks an instance, ${code('/shim-fix restart <instance>')} plans a restart you confirm.`,
  youAreNot: mrkdwn`You are not an operator. Ask one of them to check or restart an instance.`,
  noScan: mrkdwn`*Scheduled scan:* not set up.`,
  noRequests: mrkdwn`No requests yet.`,
  noGaps: mrkdwn`No knowledge gaps in the last 30 days.`,
  unavailable: mrkdwn`Could not be read just now; open the tab again in a minute.`,
} as const;

/**
 * The Home tab. Everyone sees who may act, on what tag, the scan state, recent outcomes and the knowledge gaps
 * (already redacted); only operators see who asked for what on which target and the link to its thread, since the
 * audit detail names hosts and people that a non-operator has no use for. There are no buttons: acting stays in
 * the slash command and the plan card, where the authorisation checks are.
 */
export function buildHomeView(input: HomeViewInput): HomeView {
  const operator = input.operators.includes(input.viewer);
  const blocks: KnownBlock[] = [
    header('shim-fix'),
    section(whoMayAct(input)),
    ...(input.operators.length === 0 ? [] : [section(operator ? HOME_COPY.youAreOperator : HOME_COPY.youAreNot)]),
    DIVIDER,
    header('Last scan'),
    section(input.lastScan === undefined ? HOME_COPY.noScan : scanLine(input.lastScan)),
    DIVIDER,
    header('Recent requests'),
    ...recentBlocks(input.recent, operator),
    DIVIDER,
    header('Knowledge gaps'),
    context(mrkdwn`Pastes the bot had no confident answer for when asked directly, or got 👎 for, in the last 30 days, grouped by their first error line (ids and secrets removed). The top ones are the next runbooks to write.`),
    ...gapBlocks(input.gaps),
  ];
  return { type: 'home', blocks };
}

function whoMayAct({ operators, allowTag }: HomeViewInput): Mrkdwn {
  if (operators.length === 0) return HOME_COPY.nobody;
  return mrkdwn`*Who may act:* ${joinMrkdwn(operators.map(mention), ', ')}, on instances tagged ${code(`${allowTag.key}=${allowTag.value}`)}.`;
}

function scanLine(scan: LastScan): Mrkdwn {
  const found = scan.stale.length === 0 ? mrkdwn`none will fail new containers` : mrkdwn`${scan.stale.length} will fail new containers: ${joinMrkdwn(scan.stale.slice(0, 20).map((id) => code(id)), ', ')}`;
  return mrkdwn`*Scheduled scan:* ${when(scan.at)}, ${scan.checked} instances checked, ${found}.`;
}

function recentBlocks(recent: HomeViewInput['recent'], operator: boolean): KnownBlock[] {
  if (recent === 'unavailable') return [section(HOME_COPY.unavailable)];
  if (recent.length === 0) return [section(HOME_COPY.noRequests)];
  return recent.map((request) => {
    const outcome = request.outcome ?? 'running';
    const at = when(Date.parse(request.createdAt));
    if (!operator) return section(mrkdwn`${request.action}: *${outcome}*, ${at}`);
    return section(mrkdwn`${request.action} ${code(request.target)} by ${mention(request.requestedBy)}: *${outcome}*, ${at}${threadLink(request.thread)}`);
  });
}

function threadLink(thread: RecentRequest['thread']): Mrkdwn {
  if (thread === undefined) return mrkdwn``;
  if (thread.permalink !== undefined) return mrkdwn` · ${link(thread.permalink, 'thread')}`;
  // No permalink (Slack did not give one): the channel id and message ts still find the thread.
  return mrkdwn` · channel ${code(thread.channel)}, message ${code(thread.ts)}`;
}

function gapBlocks(gaps: HomeViewInput['gaps']): KnownBlock[] {
  if (gaps === 'unavailable') return [section(HOME_COPY.unavailable)];
  if (gaps.length === 0) return [section(HOME_COPY.noGaps)];
  return gaps.map((group) => {
    const why = [group.abstained > 0 ? `${group.abstained} unanswered` : '', group.downvoted > 0 ? `${group.downvoted} 👎` : ''].filter((part) => part !== '').join(', ');
    return section(mrkdwn`${code(group.line)}\n${group.count}× (${why}), last seen ${when(group.lastSeen)}`);
  });
}

/** UTC to the minute: App Home is read by people in several time zones and a fixed zone is unambiguous. */
function when(ms: number): string {
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'unknown time';
}

const DIVIDER: KnownBlock = { type: 'divider' };

function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text } };
}

function section(text: Mrkdwn): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text.text, SLACK_LIMITS.sectionText) } };
}

function context(text: Mrkdwn): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: text.text }] };
}
