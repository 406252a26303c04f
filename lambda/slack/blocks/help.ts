import type { KnownBlock } from '@slack/types';
import { mrkdwnSection } from './answer-card';
import { fitMessage, type SlackMessage } from './limits';
import { inlineCode } from './mrkdwn';

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
    const didYouMean = suggestion ? ` Did you mean ${inlineCode(suggestion)}?` : '';
    blocks.push(mrkdwnSection(`${inlineCode(unknown.slice(0, 100))} is not a shim-fix command.${didYouMean}`));
  }
  blocks.push(
    mrkdwnSection(
      '*shim-fix* reads containerd and Docker errors and answers with the runbook that fixes them.\n' +
        '• Paste an error in a channel I am in: I answer in its thread when I am confident, and stay quiet otherwise.\n' +
        '• Mention me or send me a direct message to always get an answer.\n' +
        '• On any message: *⋯ More actions → Diagnose with shim-fix*.',
    ),
    mrkdwnSection(
      [
        '*Commands*',
        `${inlineCode('/shim-fix search <words>')} find runbooks, e.g. ${inlineCode('/shim-fix search unsupported shim version')}`,
        ...(remediationEnabled
          ? [
              `${inlineCode('/shim-fix check <instance>')} read-only check of containerd and Docker on an instance, e.g. ${inlineCode('/shim-fix check i-0123456789abcdef0')}`,
              `${inlineCode('/shim-fix restart <instance>')} restart containerd, then Docker, after you confirm (also ${inlineCode('tag:Key=Value')} for a fleet)`,
            ]
          : []),
        `${inlineCode('/shim-fix help')} this message`,
      ].join('\n'),
    ),
  );
  const text = unknown !== undefined ? `${unknown.slice(0, 100)} is not a shim-fix command` : 'shim-fix help';
  return fitMessage({ text, blocks });
}
