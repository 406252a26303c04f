import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { LocalDynamo } from '../../helpers/dynamo';
import type { SlackApiStub } from '../../helpers/slack-api-stub';
import { blockActionPayload, channelMessage, eventCallbackBody, interactiveBody, slashCommandBody } from '../../helpers/slack-request';
import { buildStatusDeps, createCommandStatusHandler } from '../../../lambda/handlers/command-status';
import { RESULT_LINE_PREFIX } from '../../../lambda/core/remediation/result-line';
import { invocationStatusEvent } from '../../helpers/ssm-events';
import { STALE_DAEMON_CHECK } from '../../unit/remediation/fixtures';
import { useProcessEnv, type E2eEnvironment } from './e2e-environment';
import type { ServeProcess } from './serve-process';

export { buttonValue } from '../../helpers/block-kit';
export { RESTART_DOCUMENT } from '../../helpers/ssm-events';
export { commandStatusEvent as commandEvent, invocationStatusEvent as invocationEvent } from '../../helpers/ssm-events';

/** What people do in Slack, as signed HTTP requests to the served bot, and what came back through the stubs. */

export const FORM = 'application/x-www-form-urlencoded';
export const SHIM_PASTE = 'failed to create task for container: unsupported shim version (3): not implemented';

let instanceCounter = 0x5e0;
/** A fresh 17-hex instance id per use: locks and audit records outlive a test. */
export function newInstanceId(): string {
  instanceCounter += 1;
  return `i-${instanceCounter.toString(16).padStart(17, '0')}`;
}

/** Posts a channel message event; returns the message and the HTTP status Slack would see. */
export async function pasteInChannel(serve: ServeProcess, text = SHIM_PASTE, headers: Record<string, string> = {}) {
  const message = channelMessage(text);
  const body = eventCallbackBody(message);
  const response = await serve.post(body, { headers });
  return { message, body, status: response.status };
}

/** `/shim-fix <text>`; resolves with what the bot sent to the command's response URL (last message). */
export async function slash(serve: ServeProcess, slack: SlackApiStub, text: string) {
  const responseUrl = slack.responseUrl();
  const response = await serve.post(slashCommandBody(text, responseUrl), { contentType: FORM });
  const answer = slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  return { status: response.status, body: (answer?.body ?? {}) as { text?: string; blocks?: unknown[] }, raw: JSON.stringify(answer?.body ?? {}) };
}

/**
 * Clicks a button; resolves with what the bot sent to the click's response URL, or, for a Confirm answered at once
 * ("Confirmed (request …)"), with what the remediation worker then told the requester (`immediate` keeps the answer).
 */
export async function click(serve: ServeProcess, slack: SlackApiStub, actionId: string, value: string, headers: Record<string, string> = {}, { timeoutMs = 15_000 } = {}) {
  const responseUrl = slack.responseUrl();
  const ephemeralsBefore = slack.calls('chat.postEphemeral').length;
  const payload = blockActionPayload({ action_id: actionId, value }, { responseUrl, ephemeral: true });
  const response = await serve.post(interactiveBody(payload), { contentType: FORM, headers });
  const answer = slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  const immediate = JSON.stringify(answer?.body ?? {});
  if (!immediate.includes('Confirmed (request')) return { status: response.status, raw: immediate, immediate };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const told = slack.calls('chat.postEphemeral')[ephemeralsBefore];
    if (told) return { status: response.status, raw: JSON.stringify(told.body), immediate };
    if (Date.now() > deadline) throw new Error('no outcome for the confirmed request');
    await pause(20);
  }
}




/** Every item of a request's audit partition, as `<sk kind>:<type or outcome>` (oldest event first). */
export async function auditTrail(dynamo: LocalDynamo, requestId: string): Promise<string[]> {
  const items = await dynamo.client.send(
    new QueryCommand({ TableName: dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `audit#${requestId}` } } }),
  );
  return (items.Items ?? []).filter((item) => item.sk?.S?.startsWith('event#')).map((item) => item.type?.S ?? '');
}

const CHECK_DOCUMENT = 'ShimFix-CheckContainerRuntime';
/** A stale daemon whose restart stops no Docker container: the card offers the plain Confirm. */
const STALE_CHECK = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `/shim-fix restart …` the way it works now: answered at once, then the check-first job either tells the requester
 * (a refusal, a fleet's card) or sends the read-only check; for a check, its stale-daemon result is delivered through
 * the status handler (in this process, as EventBridge would) and the card it brings is returned, shaped like
 * {@link slash}'s answer. `immediate` is the slash command's own answer.
 */
export async function restartCard(serve: ServeProcess, world: E2eEnvironment, text: string, { timeoutMs = 15_000 } = {}) {
  const ephemeralsBefore = world.slack.calls('chat.postEphemeral').length;
  const commandsBefore = world.ssm.commands().length;
  const immediate = await slash(serve, world.slack, text);
  const answer = (call: { body: unknown }) => ({ status: immediate.status, body: call.body as { text?: string; blocks?: unknown[] }, raw: JSON.stringify(call.body), immediate: immediate.raw });
  if (!immediate.raw.includes('first (read-only')) return { ...immediate, immediate: immediate.raw };
  const deadline = Date.now() + timeoutMs;
  let check: { commandId: string; input: Record<string, unknown> } | undefined;
  while (!check) {
    const told = world.slack.calls('chat.postEphemeral')[ephemeralsBefore];
    if (told) return answer(told);
    check = world.ssm.commands().slice(commandsBefore).find((sent) => sent.input.DocumentName === CHECK_DOCUMENT);
    if (Date.now() > deadline) throw new Error(`no answer and no check for ${text}`);
    if (!check) await pause(20);
  }
  const instanceId = (check.input.InstanceIds as string[])[0] ?? '';
  world.ssm.setInvocation(check.commandId, instanceId, { Status: 'Success', StandardOutputContent: `probing\n${RESULT_LINE_PREFIX}${JSON.stringify(STALE_CHECK)}\n` });
  const restore = useProcessEnv(world.env);
  try {
    const statusHandler = createCommandStatusHandler(() => buildStatusDeps(process.env));
    for (;;) {
      try {
        await statusHandler(invocationStatusEvent(check.commandId, instanceId, 'Success', { document: CHECK_DOCUMENT }), { awsRequestId: 'e2e-check' });
        break;
      } catch (error) {
        // As Lambda does: an event that arrives before the job recorded the command is retried.
        if (!(error instanceof Error && error.name === 'CommandNotRecordedYetError') || Date.now() > deadline) throw error;
        await pause(20);
      }
    }
  } finally {
    restore();
  }
  for (;;) {
    const card = world.slack.calls('chat.postEphemeral').slice(ephemeralsBefore).find((call) => JSON.stringify(call.body).includes(instanceId));
    if (card) return answer(card);
    if (Date.now() > deadline) throw new Error(`no plan card for ${instanceId}`);
    await pause(20);
  }
}
