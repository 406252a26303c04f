import type { KnownBlock } from '@slack/types';
import { mrkdwnSection } from './answer-card';
import { fitMessage, type SlackMessage } from './limits';
import { code, joinMrkdwn, mrkdwn } from './mrkdwn';

export interface HelpOptions {
  /** What the user typed when it was not a subcommand; shown back, escaped. */
  unknown?: string;
  /** The closest subcommand line to suggest, e.g. `/shim-fix search unsupported shim`. */
  suggestion?: string;
  remediationEnabled: boolean;
}

/**
 * `/shim-fix help`: what the bot does on its own, then each subcommand with an example.
 *
 * @example
 * buildHelp({ unknown: 'serch', suggestion: '/shim-fix search', remediationEnabled: false })
 */
export function buildHelp({ unknown, suggestion, remediationEnabled }: HelpOptions): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (unknown !== undefined) {
    const didYouMean = suggestion ? mrkdwn` Did you mean ${code(suggestion)}?` : mrkdwn``;
    blocks.push(mrkdwnSection(mrkdwn`${code(unknown.slice(0, 100))} is not a shim-fix command.${didYouMean}`.text));
  }
  blocks.push(
    mrkdwnSection(
      joinMrkdwn([
        mrkdwn`*shim-fix* reads containerd and Docker errors and answers with the runbook that fixes them.`,
        mrkdwn`• Paste an error in a channel I am in: I answer in its thread when I am confident, and stay quiet otherwise.`,
        mrkdwn`• Mention me or send me a direct message to always get an answer.`,
        mrkdwn`• On any message: *⋯ More actions → Diagnose with shim-fix*.`,
      ]).text,
    ),
    mrkdwnSection(
      joinMrkdwn([
        mrkdwn`*Commands*`,
        mrkdwn`${code('/shim-fix search <words>')} find runbooks, e.g. ${code('/shim-fix search unsupported shim version')}`,
        ...(remediationEnabled
          ? [
              mrkdwn`${code('/shim-fix check <instance>')} read-only check of containerd and Docker on an instance, e.g. ${code('/shim-fix check i-0123456789abcdef0')}`,
              mrkdwn`${code('/shim-fix restart <instance>')} restart containerd, then Docker, after you confirm (also ${code('tag:Key=Value')} for a fleet)`,
              mrkdwn`${code('/shim-fix scan [tag:Key=Value]')} read-only check of every allow-tagged instance (or one tag) for daemons that will fail new containers; reports here only if it finds some`,
            ]
          : []),
        mrkdwn`${code('/shim-fix help')} this message`,
      ]).text,
    ),
  );
  // The notification text is mrkdwn too: what the user typed is escaped there as well.
  const text = unknown !== undefined ? mrkdwn`${unknown.slice(0, 100)} is not a shim-fix command`.text : 'shim-fix help';
  return fitMessage({ text, blocks });
}
