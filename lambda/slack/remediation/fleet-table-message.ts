import type { KnownBlock } from '@slack/types';
import { fitMessage, SLACK_LIMITS, truncateMrkdwn, type SlackMessage } from '../blocks/limits';
import { code, mrkdwn } from '../blocks/mrkdwn';

/** One instance of a fleet request as the per-instance table shows it. */
export interface FleetTableRow {
  instanceId: string;
  /** What happened: `restarted`, `failed`, `skipped`, `unknown`, `in-flight`, `waiting`, a check category, … */
  outcome: string;
  /** Short and host- or SSM-reported (escaped and capped here), e.g. `stopped after the first failure`. */
  detail?: string;
}

export interface FleetTable {
  requestId: string;
  target: string;
  rows: readonly FleetTableRow[];
}

/** A row never takes more than this, so a post holds a known minimum of rows whatever the hosts report. */
export const MAX_ROW_CHARS = 240;
/** The heading of each post is capped at this. */
const HEADING_CHARS = 1_500;
/**
 * Characters of rows per post: Slack's 40,000 per message, less the heading, the fallback text and the block
 * structure `fitMessage` counts too (`section`, `mrkdwn`: 13 characters a block).
 */
const ROW_CHARS_PER_POST = SLACK_LIMITS.messageChars - HEADING_CHARS - 2_500;
/** Row sections per post: 50 blocks, less the heading. */
const ROW_SECTIONS_PER_POST = SLACK_LIMITS.blocksPerMessage - 2;
/** The fewest rows a post holds: when every row is as long as allowed (a section holds at least 12 of them). */
export const MIN_ROWS_PER_POST = Math.min(
  Math.floor(ROW_CHARS_PER_POST / (MAX_ROW_CHARS + 1)),
  ROW_SECTIONS_PER_POST * Math.floor((SLACK_LIMITS.sectionText + 1) / (MAX_ROW_CHARS + 1)),
);

/** The most thread posts the table of `rows` instances takes: 1,000 instances fit in 7 at worst (3 typically). */
export function maxTablePosts(rows: number): number {
  return Math.max(1, Math.ceil(rows / MIN_ROWS_PER_POST));
}

const ICONS: Readonly<Record<string, string>> = {
  restarted: ':white_check_mark:',
  succeeded: ':white_check_mark:',
  checked: ':white_check_mark:',
  healthy: ':white_check_mark:',
  failed: ':x:',
  unknown: ':grey_question:',
  unreachable: ':grey_question:',
  skipped: ':fast_forward:',
  'in-flight': ':gear:',
  waiting: ':hourglass_flowing_sand:',
  checking: ':hourglass_flowing_sand:',
  // Check categories (lambda/remediation/fleet/types.ts), for a request still in its check phase.
  'restart-fixes': ':wrench:',
  'docker-stops-containers': ':warning:',
  'restart-will-not-help': ':no_entry_sign:',
  'managed-elsewhere': ':arrow_right:',
};

// Failures first: that is what someone opening the table is looking for.
const ORDER: readonly string[] = ['failed', 'unknown', 'unreachable', 'skipped', 'in-flight', 'waiting'];

/**
 * The per-instance table of a fleet request, as thread posts: one row per instance (id, outcome, short detail),
 * failures first, packed into sections of at most 3,000 characters and posts of at most 50 blocks and 40,000
 * characters, so 1,000 instances take at most {@link maxTablePosts}(1000) posts and nothing is cut. Every host- or
 * store-supplied text is escaped with the mrkdwn builder.
 *
 * @example
 * for (const message of buildFleetTableMessages(table)) await chat.postMessage({ channel, thread_ts, ...message });
 */
export function buildFleetTableMessages(table: FleetTable): SlackMessage[] {
  const rows = [...table.rows].sort(byOutcomeThenId);
  const lines = rows.map(renderRow);
  const posts: string[][][] = [];
  let sections: string[][] = [];
  let section: string[] = [];
  let sectionChars = 0;
  let postChars = 0;
  const closeSection = (): void => {
    if (section.length > 0) sections.push(section);
    section = [];
    sectionChars = 0;
  };
  const closePost = (): void => {
    closeSection();
    if (sections.length > 0) posts.push(sections);
    sections = [];
    postChars = 0;
  };
  for (const line of lines) {
    const added = line.length + (section.length > 0 ? 1 : 0);
    if (sectionChars + added > SLACK_LIMITS.sectionText) closeSection();
    const fullPost = sections.length >= ROW_SECTIONS_PER_POST || postChars + line.length + 1 > ROW_CHARS_PER_POST;
    if (fullPost) closePost();
    sectionChars += line.length + (section.length > 0 ? 1 : 0);
    postChars += line.length + 1;
    section.push(line);
  }
  closePost();
  if (posts.length === 0) posts.push([[mrkdwn`_No instances in this request._`.text]]);

  const counts = summarise(rows);
  return posts.map((postSections, index) => {
    const part = posts.length > 1 ? ` (part ${index + 1} of ${posts.length})` : '';
    const heading = mrkdwn`*Per-instance table* for ${code(table.target)}${part} · ${counts} · request ${code(table.requestId)}`;
    const blocks: KnownBlock[] = [
      { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(heading.text, HEADING_CHARS), verbatim: true } },
      // Verbatim: details come from hosts and SSM; Slack must not auto-link a host name in them.
      ...postSections.map((sectionLines): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: sectionLines.join('\n'), verbatim: true } })),
    ];
    return fitMessage({ text: `Per-instance table for ${table.target}${part}: ${rows.length} instances`, blocks });
  });
}

function renderRow(row: FleetTableRow): string {
  const icon = ICONS[row.outcome] ?? ':small_blue_diamond:';
  const detail = row.detail === undefined ? '' : row.detail.replace(/\s+/g, ' ').trim();
  const line = detail === ''
    ? mrkdwn`${icon} ${code(row.instanceId.slice(0, 40))} *${row.outcome.slice(0, 30)}*`
    : mrkdwn`${icon} ${code(row.instanceId.slice(0, 40))} *${row.outcome.slice(0, 30)}* · ${detail.slice(0, MAX_ROW_CHARS)}`;
  // Escaping can lengthen a detail five-fold (`&` is `&amp;`): the cap is on the escaped line, never inside an entity.
  return truncateMrkdwn(line.text, MAX_ROW_CHARS);
}

function byOutcomeThenId(a: FleetTableRow, b: FleetTableRow): number {
  const rank = (row: FleetTableRow): number => {
    const at = ORDER.indexOf(row.outcome);
    return at === -1 ? ORDER.length : at;
  };
  return rank(a) - rank(b) || (a.outcome < b.outcome ? -1 : a.outcome > b.outcome ? 1 : 0) || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0);
}

function summarise(rows: readonly FleetTableRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
  const parts = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, 8).map(([outcome, count]) => `${count} ${outcome.slice(0, 30)}`);
  return `${rows.length} instance${rows.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}
