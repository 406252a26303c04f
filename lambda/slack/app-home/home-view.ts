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

/** What the last scan found (issue 13 point 3, lambda/remediation/scan/); absent until a scan completed. */
export interface LastScan {
  /** Milliseconds since the epoch. */
  at: number;
  checked: number;
  /** Instances that will fail new containers (stale daemon, shim newer than daemon), capped by the store. */
  stale: readonly string[];
  /** How many will fail in all, when more than `stale` lists. */
  staleTotal?: number;
  /** `every allow-tagged instance`, `tag:team=payments`. */
  target?: string;
  /** Instances without an answer (offline, not Linux, the check failed). */
  unreachable?: number;
  /** Absent for the scheduled scan. */
  requestedBy?: string;
}

export interface HomeViewInput {
  viewer: string;
  operators: readonly string[];
  allowTag: { key: string; value: string };
  lastScan?: LastScan;
  /** The scan schedule's expression (`cron(0 6 * * ? *)`) when the stack set one up (SHIM_FIX_SCAN_SCHEDULE). */
  scanSchedule?: string;
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
    header('Scan'),
    ...scanBlocks(input),
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

/** How many of the last scan's failing hosts App Home lists by id. */
const SCAN_IDS_SHOWN = 20;

/** Whether a schedule is set up (the stack setting), then what the last scan found, scheduled or on demand. */
function scanBlocks({ scanSchedule, lastScan }: HomeViewInput): KnownBlock[] {
  const schedule =
    scanSchedule === undefined
      ? HOME_COPY.noScan
      : mrkdwn`*Scheduled scan:* ${code(scanSchedule)}; it reports to its channel only when hosts will fail new containers.`;
  const blocks = [section(schedule)];
  if (lastScan !== undefined) blocks.push(section(scanLine(lastScan)));
  blocks.push(context(mrkdwn`Operators run one now with ${code('/shim-fix scan')} or ${code('/shim-fix scan tag:Key=Value')} (read-only).`));
  return blocks;
}

function scanLine(scan: LastScan): Mrkdwn {
  const total = Math.max(scan.staleTotal ?? 0, scan.stale.length);
  const shown = scan.stale.slice(0, SCAN_IDS_SHOWN);
  const more = total - shown.length;
  const found =
    total === 0
      ? mrkdwn`none will fail new containers`
      : mrkdwn`${total} will fail new containers: ${joinMrkdwn(shown.map((id) => code(id)), ', ')}${more > 0 ? mrkdwn` and ${more} more` : mrkdwn``}`;
  const target = scan.target === undefined ? mrkdwn`` : mrkdwn` of ${code(scan.target)}`;
  const by = scan.requestedBy === undefined ? mrkdwn`` : mrkdwn` by ${mention(scan.requestedBy)}`;
  const silent = scan.unreachable ? mrkdwn`, ${scan.unreachable} without an answer` : mrkdwn``;
  return mrkdwn`*Last scan:* ${when(scan.at)}${target}${by}, ${scan.checked} instances checked${silent}, ${found}.`;
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
