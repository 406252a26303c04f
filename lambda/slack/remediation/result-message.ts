import type { KnownBlock } from '@slack/types';
import { button } from '../blocks/answer-card';
import { fitMessage, type SlackMessage } from '../blocks/limits';
import { codeBlock, escapeMrkdwn } from '../blocks/mrkdwn';
import { isSuccessStatus } from '../../core/remediation/command-status';
import { describeResult, isHealthy, isRestartTheFix, type ScriptResult } from '../../core/remediation/result-line';
import { hostText } from '../../core/remediation/host-text';
import type { InstanceResult } from '../../remediation/notifier';
import { REMEDIATION_IDS } from './ids';

/** How much of stderr a failure shows: the end is where the reason is. */
export const STDERR_TAIL_LINES = 15;
export const STDERR_TAIL_CHARS = 1500;

export interface ResultMessageInput extends InstanceResult {
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
  // A result line that claims another action than the one sent is not believed (a stale or forged line).
  const mismatched = input.result !== undefined && input.result.action !== input.action;
  const result = mismatched ? undefined : input.result;
  const ssmSucceeded = isSuccessStatus(input.status);
  const succeeded = ssmSucceeded && !mismatched && result?.status !== 'failed';
  // A command that ran is not a healthy host: findings (stale daemon, duplicates, not running) get a warning.
  const icon = !succeeded ? ':x:' : !result || isHealthy(result) ? ':white_check_mark:' : ':warning:';
  const scriptSaid = result ? hostText(describeResult(result), SENTENCE_MAX) : undefined;
  // SSM's word comes first when it is not Success: the host's own line only follows, quoted as what the script said.
  const sentence = mismatched
    ? `${describeSsmStatus(input)}; its result line claims to come from a ${hostText(input.result?.action ?? '', 20)}, not the ${input.action} that was sent, so shim-fix ignores it`
    : !ssmSucceeded
      ? `${describeSsmStatus(input)}${scriptSaid ? `; the script said: “${scriptSaid}”` : ' before printing a result'}`
      : (scriptSaid ?? describeMissingResult(input));
  // Verbatim: the sentence carries the script's own words, where Slack must not auto-link a bare `@here`.
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${icon} ${id}: ${escapeMrkdwn(sentence)}`, verbatim: true } }];
  const next = nextStep(input.instanceId, result, succeeded);
  if (next) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: next }] });
  if (!succeeded) {
    const tail = stderrTail(input.stderr);
    if (tail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Last lines of stderr:*\n${codeBlock(tail)}` } });
  }
  if (input.offerRestart && succeeded && result && isRestartTheFix(result)) {
    blocks.push({
      type: 'actions',
      block_id: 'remediation_result_actions',
      elements: [button(REMEDIATION_IDS.restartFromCheck, 'Restart containerd…', input.instanceId, 'primary')],
    });
  }
  return fitMessage({ text: `${input.instanceId}: ${sentence}`, blocks });
}

/** A result sentence is one line on the card, whatever the host put into the fields it is built from. */
const SENTENCE_MAX = 600;

function describeSsmStatus(input: ResultMessageInput): string {
  const details = input.statusDetails && input.statusDetails !== input.status ? `, ${input.statusDetails}` : '';
  const exit = input.responseCode !== undefined && input.responseCode >= 0 ? ` (exit ${input.responseCode}${details})` : details ? ` (${details.slice(2)})` : '';
  return `SSM reports ${input.status}${exit}`;
}

function describeMissingResult(input: ResultMessageInput): string {
  return `the ${input.action} finished but printed no result line, so shim-fix cannot tell what it found`;
}

function nextStep(instanceId: string, result: ScriptResult | undefined, succeeded: boolean): string | undefined {
  if (!succeeded) {
    return `The full output is in CloudWatch Logs and in the Run Command history of ${instanceId}. Run \`/shim-fix check ${instanceId}\` to see the state now.`;
  }
  if (result && isRestartTheFix(result)) return 'A restart of containerd is the fix. Docker keeps running (dockerd reconnects); it is restarted only when its own binary was replaced.';
  if (result?.verdict === 'duplicate-binaries') return 'Remove or rename the copy the package did not install, then run the check again.';
  if (result?.status === 'restarted') return `Verify: \`/shim-fix check ${instanceId}\`.`;
  return undefined;
}

/** The last lines of stderr, bounded in lines and characters. */
export function stderrTail(stderr: string): string {
  const lines = stderr.replace(/\s+$/, '').split('\n');
  const tail = lines.slice(-STDERR_TAIL_LINES).join('\n');
  return tail.length > STDERR_TAIL_CHARS ? `…${tail.slice(-STDERR_TAIL_CHARS)}` : tail;
}
