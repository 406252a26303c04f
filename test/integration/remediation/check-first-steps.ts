import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { RESULT_LINE_PREFIX, type ScriptResult } from '../../../lambda/core/remediation/result-line';
import { buttonValue } from '../../helpers/block-kit';
import type { SlackApiStub } from '../../helpers/slack-api-stub';
import { functionUrlEvent, slashCommandBody } from '../../helpers/slack-request';
import { invocationStatusEvent } from '../../helpers/ssm-events';
import { STALE_DAEMON_CHECK } from '../../unit/remediation/fixtures';
import type { FakeSsm } from './fake-ssm';

const CHECK_DOC = 'ShimFix-CheckContainerRuntime';
const FORM = { contentType: 'application/x-www-form-urlencoded' };

/** A stale daemon whose restart stops no Docker container: the card offers the plain Confirm. */
export const STALE_NO_CONTAINERS_AT_RISK: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };

export interface CheckFirstWorld {
  handler: (event: never, context: never) => Promise<{ statusCode?: number }>;
  statusHandler: (event: unknown, context: never) => Promise<void>;
  slack: SlackApiStub;
  ssm: FakeSsm;
  context: never;
}

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Delivers a status event as Lambda's asynchronous invocation does: an event that arrives before the worker has
 * recorded its command (SendCommand answered, pointer not written yet) fails and is retried.
 */
export async function deliverStatusEvent(
  statusHandler: (event: unknown, context: never) => Promise<unknown>,
  event: unknown,
  context: never,
  what: string,
): Promise<void> {
  await until(async () => {
    try {
      await statusHandler(event, context);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'CommandNotRecordedYetError') return undefined;
      throw error;
    }
  }, `${what} to be recorded`);
}

function checksOf(ssm: FakeSsm, instanceId: string) {
  return ssm.mock.commandCalls(SendCommandCommand).filter((call) => call.args[0].input.DocumentName === CHECK_DOC && call.args[0].input.InstanceIds?.includes(instanceId));
}

/** The command id of the check the (in-process) check-first job sends to `instanceId` after `earlier` checks. */
export async function checkCommandFor(ssm: FakeSsm, instanceId: string, earlier = 0): Promise<string> {
  return until(async () => {
    const calls = checksOf(ssm, instanceId);
    if (calls.length <= earlier) return undefined;
    const output = (await calls.at(-1)?.returnValue) as { Command?: { CommandId?: string } } | undefined;
    return output?.Command?.CommandId;
  }, `the check of ${instanceId}`);
}

/**
 * `/shim-fix restart <instance>` as `user`, then the check's result arrives through the status handler: returns the
 * ephemeral plan card the requester got (its blocks) once it is posted.
 */
export async function restartCardAfterCheck(world: CheckFirstWorld, instanceId: string, user: string, result: ScriptResult = STALE_NO_CONTAINERS_AT_RISK): Promise<{ blocks: unknown; raw: string }> {
  const before = world.slack.calls('chat.postEphemeral').length;
  const earlier = checksOf(world.ssm, instanceId).length;
  await world.handler(functionUrlEvent(slashCommandBody(`restart ${instanceId}`, world.slack.responseUrl(), { user_id: user }), FORM) as never, world.context);
  const commandId = await checkCommandFor(world.ssm, instanceId, earlier);
  world.ssm.invocations.set(instanceId, { Status: 'Success', StandardOutputContent: `probing\n${RESULT_LINE_PREFIX}${JSON.stringify(result)}\n`, StandardErrorContent: '' });
  await deliverStatusEvent(world.statusHandler, invocationStatusEvent(commandId, instanceId, 'Success', { document: CHECK_DOC }), world.context, `the check of ${instanceId}`);
  // The restart's own result is the test's business: the check's invocation is gone once its card is out.
  world.ssm.invocations.delete(instanceId);
  const card = await until(() => world.slack.calls('chat.postEphemeral').slice(before).find((call) => JSON.stringify(call.body).includes(instanceId)), `the plan card of ${instanceId}`);
  return { blocks: (card.body as { blocks?: unknown }).blocks, raw: JSON.stringify(card.body) };
}

/** The plan id on the Confirm button of the card a stale-daemon check produced. */
export async function planRestartAfterCheck(world: CheckFirstWorld, instanceId: string, user: string): Promise<string> {
  return buttonValue((await restartCardAfterCheck(world, instanceId, user)).blocks, 'remediation_confirm');
}

/**
 * A Confirm is answered at once ("Confirmed (request …)") and the remediation worker's outcome follows as an
 * ephemeral message: returns that outcome, or the immediate answer when the click was refused on the spot.
 */
export async function confirmOutcome(slack: SlackApiStub, immediate: string, ephemeralsBefore: number): Promise<string> {
  if (!immediate.includes('Confirmed (request')) return immediate;
  const posted = await until(() => slack.calls('chat.postEphemeral')[ephemeralsBefore], 'the outcome of the confirmed request');
  return JSON.stringify(posted.body);
}
