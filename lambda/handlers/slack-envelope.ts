import * as z from 'zod';
import { slackId } from '../slack/event-payloads';

/**
 * The envelope fields Bolt dereferences before any listener runs (type detection, team and user lookup).
 * Slack always sends them in this shape; a signed body that does not is malformed, and Bolt would fail on it
 * with a TypeError (a 500). Everything else stays open: listeners validate what they read themselves.
 */
const object = z.object({}).loose();

/** Ids as the listeners read them (`slack/event-payloads.ts`): never an `Object.prototype` key or a lone surrogate. */
const slackIdOrNull = slackId.nullable();
/** Opaque tokens that end up in dedupe keys (`trigger_id`, `action_ts`, `event_id`): bounded. */
const token = z.string().min(1).max(256);
/** Button values, block ids, callback ids: strings, bounded (Slack caps a button value at 2,000 characters). */
const value = z.string().max(2000);

/** Bolt's `respond` posts to the response URL as given: anything but an absolute http(s) URL makes it throw. */
const responseUrl = z.string().refine(isHttpUrl, { message: 'response_url is not an http(s) URL' });

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Bolt looks for the user and the conversation with the `in` operator (`'creator' in event.channel`,
 * `event.user.id`, `event.subteam.created_by`), which throws on `null` or a number. Slack sends `user` and
 * `channel` as an id string or an object (`user_change`, `channel_created`), and `subteam` as an object.
 */
const idOrObject = z.union([slackId, z.object({ id: slackId.optional() }).loose()]);

const authorization = z.object({ team_id: slackIdOrNull.optional(), enterprise_id: slackIdOrNull.optional(), user_id: slackId.optional() }).loose();

const eventEnvelope = z
  .object({
    team_id: slackId.optional(),
    enterprise_id: slackIdOrNull.optional(),
    event_id: token.optional(),
    event: z
      .object({
        item: object.optional(),
        user: idOrObject.optional(),
        channel: idOrObject.optional(),
        team: slackId.optional(),
        subteam: object.optional(),
        ts: token.optional(),
        thread_ts: token.optional(),
      })
      .loose(),
    authorizations: z.array(authorization).optional(),
  })
  .loose();

/**
 * Form fields arrive as arrays when repeated: the ones handed to listeners must be single strings. Slack sends a
 * response URL with every command; without one Bolt gives the listener no `respond`, and the answer would crash.
 */
const commandEnvelope = z
  .object({
    command: z.string().max(64),
    text: z.string().optional(),
    channel_id: slackId.optional(),
    team_id: slackId.optional(),
    enterprise_id: slackId.optional(),
    user_id: slackId.optional(),
    trigger_id: token.optional(),
    response_url: responseUrl,
  })
  .loose();

/** Interactivity (actions, shortcuts, views, options): Bolt reads `user.id`, and `team.id` or else `user.team_id`. */
const interactiveEnvelope = z
  .object({
    type: z.string().max(64),
    team: z.object({ id: slackId, enterprise_id: slackId.optional() }).loose().nullable().optional(),
    user: z.object({ id: slackId, team_id: slackId.optional() }).loose(),
    enterprise: z.object({ id: slackId }).loose().nullable().optional(),
    channel: z.object({ id: slackId }).loose().optional(),
    view: z.object({ id: token.optional(), app_installed_team_id: slackId.optional(), private_metadata: z.string().max(3000).optional() }).loose().optional(),
    trigger_id: token.optional(),
    callback_id: z.string().max(255).optional(),
    action_ts: token.optional(),
    container: z.object({ message_ts: token.optional(), thread_ts: token.optional(), channel_id: slackId.optional() }).loose().nullable().optional(),
    message: z.object({ ts: token.optional(), thread_ts: token.optional() }).loose().optional(),
    // View submissions: Bolt answers through the first one (`response_urls[0].response_url`).
    response_urls: z.array(z.object({ response_url: responseUrl }).loose()).optional(),
    // Block actions carry `action_id`, legacy attachment actions `name`; a value, when there is one, is a string.
    actions: z
      .array(
        z.union([
          z.object({ action_id: z.string().max(255), block_id: z.string().max(255).optional(), value: value.optional(), action_ts: token.optional() }).loose(),
          z.object({ name: z.string().max(255), value: value.optional() }).loose(),
        ]),
      )
      .min(1)
      .optional(),
  })
  .loose()
  .refine((body) => !['view_submission', 'view_closed'].includes(body.type) || body.view !== undefined, { message: 'view payload without view' })
  .refine((body) => body.response_url === undefined || responseUrl.safeParse(body.response_url).success, { message: 'response_url is not an http(s) URL' });

/**
 * True for a message shortcut or a click on a message button that came without a response URL. Slack sends one with
 * each of those, and our listeners answer through it (`respond`); without it they have no way to answer, so the
 * boundary acknowledges the payload and ignores it. Clicks inside a modal or App Home (`container.type` `view`)
 * legitimately have none, and none of our buttons live there.
 */
export function isUnanswerableSlackBody(body: Record<string, unknown>): boolean {
  if (body.response_url !== undefined) return false;
  if (body.type === 'message_action') return true;
  if (body.type !== 'block_actions') return false;
  const container = body.container as { type?: unknown } | null | undefined;
  return container === undefined || container === null || typeof container !== 'object' || container.type !== 'view';
}

/** True when Bolt can route this parsed body without tripping over its shape. */
export function isRoutableSlackBody(body: Record<string, unknown>): boolean {
  // Bolt short-circuits ssl_check only when it is set (`!= null`); `"ssl_check": null` is routed like any body.
  if (body.ssl_check !== undefined && body.ssl_check !== null) return true;
  // Bolt echoes the challenge with JSON.stringify, which overflows the stack on a deeply nested value (a 500).
  if (body.type === 'url_verification') return typeof body.challenge === 'string';
  if (body.event !== undefined) return eventEnvelope.safeParse(body).success;
  if (body.command !== undefined) return commandEnvelope.safeParse(body).success;
  if (body.actions !== undefined || body.name !== undefined || typeof body.type === 'string') {
    // Top-level types Bolt does not route (app_rate_limited, …) are acknowledged by the boundary.
    if (!INTERACTIVE_TYPES.has(String(body.type)) && body.actions === undefined && body.name === undefined) return true;
    return interactiveEnvelope.safeParse(body).success;
  }
  return true;
}

const INTERACTIVE_TYPES = new Set([
  'block_actions',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'dialog_suggestion',
  'dialog_cancellation',
  'message_action',
  'shortcut',
  'view_submission',
  'view_closed',
  'workflow_step_edit',
]);
