import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { LocalDynamo } from '../../helpers/dynamo';
import type { SlackApiStub } from '../../helpers/slack-api-stub';
import { blockActionPayload, channelMessage, eventCallbackBody, interactiveBody, slashCommandBody } from '../../helpers/slack-request';
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

/** Clicks a button; resolves with what the bot sent to the click's response URL. */
export async function click(serve: ServeProcess, slack: SlackApiStub, actionId: string, value: string, headers: Record<string, string> = {}) {
  const responseUrl = slack.responseUrl();
  const payload = blockActionPayload({ action_id: actionId, value }, { responseUrl, ephemeral: true });
  const response = await serve.post(interactiveBody(payload), { contentType: FORM, headers });
  const answer = slack.calls('response_url').filter((call) => call.method === new URL(responseUrl).pathname).at(-1);
  return { status: response.status, raw: JSON.stringify(answer?.body ?? {}) };
}




/** Every item of a request's audit partition, as `<sk kind>:<type or outcome>` (oldest event first). */
export async function auditTrail(dynamo: LocalDynamo, requestId: string): Promise<string[]> {
  const items = await dynamo.client.send(
    new QueryCommand({ TableName: dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `audit#${requestId}` } } }),
  );
  return (items.Items ?? []).filter((item) => item.sk?.S?.startsWith('event#')).map((item) => item.type?.S ?? '');
}
