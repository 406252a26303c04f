import { z } from 'zod';

/**
 * The envelope fields Bolt dereferences before any listener runs (type detection, team and user lookup).
 * Slack always sends them in this shape; a signed body that does not is malformed, and Bolt would fail on it
 * with a TypeError (a 500). Everything else stays open: listeners validate what they read themselves.
 */
const object = z.object({}).loose();
const objectOrNull = object.nullable();

const eventEnvelope = z
  .object({
    event: z.object({ item: object.optional() }).loose(),
    authorizations: z.array(object).optional(),
  })
  .loose();

/** Form fields arrive as arrays when repeated: the ones handed to listeners must be single strings. */
const commandEnvelope = z
  .object({
    command: z.string(),
    text: z.string().optional(),
    channel_id: z.string().optional(),
    team_id: z.string().optional(),
    user_id: z.string().optional(),
    trigger_id: z.string().optional(),
    response_url: z.string().optional(),
  })
  .loose();

/** Interactivity (actions, shortcuts, views, options): Bolt reads `user.id`, and `team.id` or else `user.team_id`. */
const interactiveEnvelope = z
  .object({
    type: z.string(),
    team: objectOrNull.optional(),
    user: object,
    enterprise: objectOrNull.optional(),
    channel: object.optional(),
    view: object.optional(),
    // Block actions carry `action_id`, legacy attachment actions `name`.
    actions: z.array(z.union([z.object({ action_id: z.string() }).loose(), z.object({ name: z.string() }).loose()])).min(1).optional(),
  })
  .loose()
  .refine((body) => !['view_submission', 'view_closed'].includes(body.type) || body.view !== undefined, { message: 'view payload without view' });

/** True when Bolt can route this parsed body without tripping over its shape. */
export function isRoutableSlackBody(body: Record<string, unknown>): boolean {
  if (body.ssl_check !== undefined || body.type === 'url_verification') return true;
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
