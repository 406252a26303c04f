import { createHmac } from 'node:crypto';
import type { FunctionUrlEvent } from '../../lambda/handlers/slack-http-boundary';

/** Signing secret the tests sign with and configure the handler with. */
export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEST_BOT_TOKEN = 'xoxb-test-token';
export const TEST_BOT_USER_ID = 'UBOT00001';
export const TEST_TEAM_ID = 'T0TEST001';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret.
 *
 * @example
 * const headers = signSlackRequest('{"type":"url_verification"}', TEST_SIGNING_SECRET, 1700000000);
 */
export function signSlackRequest(body: string, secret = TEST_SIGNING_SECRET, timestamp = nowSeconds()): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface RequestOptions {
  contentType?: string;
  /** Extra headers, e.g. `x-slack-retry-num`. */
  headers?: Record<string, string>;
  /** Override the signature headers (forgeries, stale timestamps). */
  secret?: string;
  timestamp?: number;
  unsigned?: boolean;
  /** Send the body base64-encoded, as Function URLs do for some content types. */
  base64?: boolean;
}

/** A Lambda Function URL event (payload format 2.0) carrying `body`, signed unless told otherwise. */
export function functionUrlEvent(body: string, options: RequestOptions = {}): FunctionUrlEvent {
  const { contentType = 'application/json', headers = {}, secret, timestamp, unsigned = false, base64 = false } = options;
  const signature = unsigned ? {} : signSlackRequest(body, secret, timestamp);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: { 'content-type': contentType, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...signature, ...headers },
    body: base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: base64,
    requestContext: { http: { method: 'POST', path: '/slack/events' }, requestId: `req-${Math.random().toString(36).slice(2)}` },
  };
}

let eventCounter = 0;

/** An Events API `event_callback` body for `event`, with a fresh `event_id` unless one is given. */
export function eventCallbackBody(event: Record<string, unknown>, envelope: Record<string, unknown> = {}): string {
  eventCounter += 1;
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: TEST_TEAM_ID,
    api_app_id: 'A0TEST001',
    type: 'event_callback',
    event_id: `Ev${String(eventCounter).padStart(8, '0')}${process.pid}`,
    event_time: nowSeconds(),
    authorizations: [{ enterprise_id: null, team_id: TEST_TEAM_ID, user_id: TEST_BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    event,
    ...envelope,
  });
}

let tsCounter = 0;

/** A unique, well-formed Slack message ts. */
export function messageTs(): string {
  tsCounter += 1;
  return `${1_700_000_000 + tsCounter}.${String(tsCounter).padStart(6, '0')}`;
}

/** A person's message in a public channel. */
export function channelMessage(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = messageTs();
  return { type: 'message', channel: 'C0CHANNEL1', channel_type: 'channel', user: 'U0PERSON01', text, ts, event_ts: ts, ...extra };
}

/** A `/shim-fix` slash command body (form-encoded), answering to `responseUrl`. */
export function slashCommandBody(text: string, responseUrl: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEST_TEAM_ID,
    team_domain: 'test',
    channel_id: 'C0CHANNEL1',
    channel_name: 'ops',
    user_id: 'U0PERSON01',
    user_name: 'person',
    command: '/shim-fix',
    text,
    api_app_id: 'A0TEST001',
    response_url: responseUrl,
    trigger_id: '1234.5678.abcdef',
    ...extra,
  }).toString();
}

/** An interactivity request (shortcut, button) as Slack sends it: form-encoded `payload=<json>`. */
export function interactiveBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A `block_actions` payload for one button click. */
export function blockActionPayload(
  action: { action_id: string; value: string; block_id?: string },
  { responseUrl, messageTs: ts = messageTs(), ephemeral = false, threadTs }: { responseUrl: string; messageTs?: string; ephemeral?: boolean; threadTs?: string },
): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: TEST_TEAM_ID, domain: 'test' },
    user: { id: 'U0PERSON01', username: 'person', team_id: TEST_TEAM_ID },
    api_app_id: 'A0TEST001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: ts, channel_id: 'C0CHANNEL1', is_ephemeral: ephemeral, ...(threadTs ? { thread_ts: threadTs } : {}) },
    trigger_id: '1234.5678.abcdef',
    channel: { id: 'C0CHANNEL1', name: 'ops' },
    ...(ephemeral ? {} : { message: { type: 'message', ts, user: TEST_BOT_USER_ID, bot_id: 'B0TEST001', text: 'answer', ...(threadTs ? { thread_ts: threadTs } : {}) } }),
    response_url: responseUrl,
    actions: [{ type: 'button', block_id: 'b1', text: { type: 'plain_text', text: 'x' }, action_ts: `${nowSeconds()}.000100`, ...action }],
  };
}

/** A message shortcut (`message_action`) payload for "Diagnose with shim-fix" on a message. */
export function messageShortcutPayload(text: string, responseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = messageTs();
  return {
    type: 'message_action',
    token: 'legacy-verification-token',
    action_ts: `${nowSeconds()}.000200`,
    team: { id: TEST_TEAM_ID, domain: 'test' },
    user: { id: 'U0PERSON02', username: 'other', team_id: TEST_TEAM_ID },
    channel: { id: 'C0CHANNEL1', name: 'ops' },
    callback_id: 'diagnose_message',
    // Unique per delivery, as Slack's are.
    trigger_id: `${ts}.5678.fedcba`,
    message_ts: ts,
    message: { type: 'message', user: 'U0PERSON01', ts, text },
    response_url: responseUrl,
    ...extra,
  };
}
