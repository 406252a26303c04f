import type { KnownBlock } from '@slack/types';
import { fitMessage, type SlackMessage } from '../blocks/limits';
import { escapeMrkdwn } from '../blocks/mrkdwn';
import { isSuccessStatus, isTerminalStatus, normaliseStatus } from '../../core/remediation/command-status';
import type { AuditRecord } from '../../aws/remediation-store-types';

const ICONS: Record<string, string> = {
  Pending: ':hourglass_flowing_sand:',
  Delayed: ':hourglass_flowing_sand:',
  InProgress: ':gear:',
  Cancelling: ':no_entry_sign:',
  Success: ':white_check_mark:',
  Cancelled: ':no_entry_sign:',
};

const OUTCOME_LINES: Record<string, string> = {
  succeeded: ':white_check_mark: *Done.* Results are in the thread.',
  failed: ':x: *Failed.* Details are in the thread.',
  cancelled: ':no_entry_sign: *Cancelled.*',
  'not-sent': ':x: *Not sent.* Nothing ran.',
  unknown: ':grey_question: *Outcome unknown.* See the thread.',
};

/** Lines per section: keeps each section text well under Slack's 3,000 characters. */
const LINES_PER_SECTION = 40;

/**
 * The public status message in the channel: who asked, what runs where, and the latest status per instance.
 * Rebuilt from the audit record each time, so an update from a duplicated event renders the same thing.
 */
export function buildStatusMessage(audit: AuditRecord): SlackMessage {
  const verb = audit.action === 'restart' ? 'restarting the container runtime on' : 'checking the container runtime on';
  const heading = `<@${audit.requestedBy}> is ${verb} \`${escapeMrkdwn(audit.target)}\``;
  const document = audit.document ? ` · \`${escapeMrkdwn(audit.document.name)}\` v${escapeMrkdwn(audit.document.version)}` : '';
  const command = audit.commandId ? ` · command \`${audit.commandId}\`` : '';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Request \`${audit.requestId}\`${command}${document}` }] },
  ];
  const ids = [...new Set([...audit.instanceIds, ...Object.keys(audit.instances)])].sort();
  const lines = ids.map((id) => {
    const status = audit.instances[id]?.status ?? (audit.commandId ? 'Pending' : 'Sending');
    return `${icon(status)} \`${id}\` ${escapeMrkdwn(status)}`;
  });
  for (let start = 0; start < lines.length; start += LINES_PER_SECTION) {
    // Verbatim: statuses come from SSM; Slack must not auto-link anything in them.
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.slice(start, start + LINES_PER_SECTION).join('\n'), verbatim: true } });
  }
  if (audit.outcome) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: OUTCOME_LINES[audit.outcome] ?? `*${escapeMrkdwn(audit.outcome)}*` } });
  }
  const plainVerb = audit.action === 'restart' ? 'Restart' : 'Check';
  return fitMessage({ text: `${plainVerb} of ${audit.target}: ${audit.outcome ?? 'running'}`, blocks });
}

function icon(status: string): string {
  const normalised = normaliseStatus(status);
  if (ICONS[normalised]) return ICONS[normalised];
  if (isTerminalStatus(normalised)) return isSuccessStatus(normalised) ? ':white_check_mark:' : ':x:';
  return ':hourglass_flowing_sand:';
}
