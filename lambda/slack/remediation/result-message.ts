import type { KnownBlock } from '@slack/types';
import { button } from '../blocks/answer-card';
import { fitMessage, type SlackMessage } from '../blocks/limits';
import { codeBlock, escapeMrkdwn } from '../blocks/mrkdwn';
import { isSuccessStatus } from '../../core/remediation/command-status';
import { describeResult, isHealthy, isRestartTheFix, type ScriptResult } from '../../core/remediation/result-line';
import type { RemediationAction } from '../../core/remediation/types';
import { REMEDIATION_IDS } from './ids';

/** How much of stderr a failure shows: the end is where the reason is. */
export const STDERR_TAIL_LINES = 15;
export const STDERR_TAIL_CHARS = 1500;

export interface ResultMessageInput {
  action: RemediationAction;
  instanceId: string;
  /** Final SSM status of the invocation, e.g. `Success`, `Failed`, `TimedOut`. */
  status: string;
  statusDetails?: string;
  /** Parsed from the result line; undefined when the script printed none (it never started, or was cut off). */
  result?: ScriptResult;
  stderr: string;
  /** Show the Restart button when the check says a restart is the fix (the Slack app has remediation enabled). */
  offerRestart: boolean;
}

/**
 * The result of one instance, posted into the status message's thread. Reads like a diagnosis: the verdict as one
 * sentence, then what to do next; a failure carries the tail of stderr.
 *
 * @example
 * buildResultMessage({ action: 'check', instanceId, status: 'Success', result, stderr: '', offerRestart: true })
 * // "`i-…`: running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade" + [Restart containerd]
 */
export function buildResultMessage(input: ResultMessageInput): SlackMessage {
  const id = `\`${input.instanceId}\``;
  const { result } = input;
  const succeeded = isSuccessStatus(input.status) && result?.status !== 'failed';
  // A command that ran is not a healthy host: findings (stale daemon, duplicates, not running) get a warning.
  const icon = !succeeded ? ':x:' : !result || isHealthy(result) ? ':white_check_mark:' : ':warning:';
  const sentence = result ? describeResult(result) : describeMissingResult(input);
  // Verbatim: the sentence carries the script's own words, where Slack must not auto-link a bare `@here`.
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${icon} ${id}: ${escapeMrkdwn(sentence)}`, verbatim: true } }];
  const next = nextStep(input);
  if (next) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: next }] });
  if (!succeeded) {
    const tail = stderrTail(input.stderr);
    if (tail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Last lines of stderr:*\n${codeBlock(tail)}` } });
  }
  if (input.offerRestart && result && isRestartTheFix(result)) {
    blocks.push({
      type: 'actions',
      block_id: 'remediation_result_actions',
      elements: [button(REMEDIATION_IDS.restartFromCheck, 'Restart containerd…', input.instanceId, 'primary')],
    });
  }
  return fitMessage({ text: `${input.instanceId}: ${sentence}`, blocks });
}

function describeMissingResult(input: ResultMessageInput): string {
  const details = input.statusDetails && input.statusDetails !== input.status ? ` (${input.statusDetails})` : '';
  if (isSuccessStatus(input.status)) return `the ${input.action} finished but printed no result line, so shim-fix cannot tell what it found`;
  return `the ${input.action} ended with SSM status ${input.status}${details} before printing a result`;
}

function nextStep(input: ResultMessageInput): string | undefined {
  const { result } = input;
  if (result && isRestartTheFix(result)) return 'A restart of containerd (then Docker) is the fix. Docker stops its containers on restart unless live-restore is on.';
  if (result?.verdict === 'duplicate-binaries') return 'Remove or rename the copy the package did not install, then run the check again.';
  if (result?.status === 'restarted') return `Verify: \`/shim-fix check ${input.instanceId}\`.`;
  if (!isSuccessStatus(input.status) || result?.status === 'failed') {
    return `The full output is in CloudWatch Logs and in the Run Command history of ${input.instanceId}. Run \`/shim-fix check ${input.instanceId}\` to see the state now.`;
  }
  return undefined;
}

/** The last lines of stderr, bounded in lines and characters. */
export function stderrTail(stderr: string): string {
  const lines = stderr.replace(/\s+$/, '').split('\n');
  const tail = lines.slice(-STDERR_TAIL_LINES).join('\n');
  return tail.length > STDERR_TAIL_CHARS ? `…${tail.slice(-STDERR_TAIL_CHARS)}` : tail;
}
