import * as z from 'zod';

/**
 * The parts of Slack payloads the listeners read, validated at the boundary. Anything that does not parse is
 * ignored (and acknowledged): Slack adds fields over time, so unknown keys are allowed.
 */

/**
 * Team, enterprise, user and channel ids (`T0123ABCD`, `E…`, `U…`/`W…`, `C…`/`D…`/`G…`). Bolt keys a plain object by
 * the team id (`__proto__` or `constructor` would crash it), listeners write ids into DynamoDB keys and Web API form
 * bodies (a lone surrogate throws there). Slack's own test fixtures also use `T_INSTALLED` and `U-auth`, so the
 * pattern allows `_`, `-` and lower case after the first character, and refuses every `Object.prototype` key.
 */
export const slackId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
  .refine((value) => !(value in Object.prototype), { message: 'id is an Object.prototype key' });
const id = slackId;
const ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);

export const userMessageEvent = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: id,
  channel_type: z.string().optional(),
  user: id.optional(),
  bot_id: z.string().optional(),
  bot_profile: z.unknown().optional(),
  app_id: z.string().optional(),
  text: z.string().optional(),
  ts,
  thread_ts: ts.optional(),
});
export type UserMessageEvent = z.infer<typeof userMessageEvent>;

export const appMentionEvent = z.object({
  type: z.literal('app_mention'),
  channel: id,
  user: id.optional(),
  bot_id: z.string().optional(),
  text: z.string().default(''),
  ts,
  thread_ts: ts.optional(),
});

/** Envelope fields of an Events API request. */
export const eventEnvelope = z.object({
  event_id: z.string().min(1).max(128).optional(),
  authorizations: z.array(z.object({ user_id: z.string().optional() }).loose()).optional(),
});

export const messageShortcutBody = z.object({
  type: z.literal('message_action'),
  callback_id: z.string(),
  trigger_id: z.string(),
  channel: z.object({ id }).loose(),
  user: z.object({ id }).loose(),
  message: z
    .object({
      ts,
      thread_ts: ts.optional(),
      text: z.string().optional(),
    })
    .loose(),
});

export const blockActionBody = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }).loose(),
  channel: z.object({ id }).loose().optional(),
  container: z
    .object({
      message_ts: ts.optional(),
      thread_ts: ts.optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .loose()
    .optional(),
  message: z.object({ ts: ts.optional(), thread_ts: ts.optional() }).loose().optional(),
  actions: z
    .array(z.object({ action_id: z.string(), block_id: z.string().optional(), value: z.string().optional(), action_ts: z.string().optional() }).loose())
    .min(1),
});
export type BlockActionBody = z.infer<typeof blockActionBody>;

/** The bot's own user id, from the `authorizations` Slack includes with every event (no auth.test call). */
export function botUserIdOf(body: unknown, contextBotUserId: string | undefined): string | undefined {
  const parsed = eventEnvelope.safeParse(body);
  return (parsed.success ? parsed.data.authorizations?.[0]?.user_id : undefined) ?? contextBotUserId;
}
