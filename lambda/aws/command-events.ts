import * as z from 'zod';

/**
 * The two EventBridge events SSM Run Command emits (source `aws.ssm`), validated at the boundary.
 * Shapes per the SSM user guide, "Amazon EventBridge event examples for Systems Manager" (Run Command events):
 * detail keys are kebab-case, `status` is the command or invocation status (`Pending`, `InProgress`, `Success`, ...).
 * Unknown keys are ignored; missing required keys make the event invalid (logged, not retried).
 */
export const INVOCATION_DETAIL_TYPE = 'EC2 Command Invocation Status-change Notification';
export const COMMAND_DETAIL_TYPE = 'EC2 Command Status-change Notification';

const commandId = z.string().min(1).max(36);

/**
 * SSM statuses are words with an occasional space (`Success`, `InProgress`, `Access Denied`). The status is shown
 * in Slack, so anything else (markup such as `<!channel>` or a bare `@here`) makes the event invalid.
 */
const status = z.string().regex(/^[A-Za-z][A-Za-z ]{0,63}$/);

/** What both SSM command events share: the EventBridge envelope and the command's own fields. */
const envelope = { source: z.literal('aws.ssm'), id: z.string(), time: z.string() };
const commandDetail = {
  'command-id': commandId,
  'document-name': z.string().min(1),
  status,
  'requested-date-time': z.string().optional(),
};

const invocationEventSchema = z.object({
  ...envelope,
  'detail-type': z.literal(INVOCATION_DETAIL_TYPE),
  detail: z.object({ ...commandDetail, 'instance-id': z.string().regex(/^m?i-[0-9a-f]{8,17}$/) }),
});

const commandEventSchema = z.object({
  ...envelope,
  'detail-type': z.literal(COMMAND_DETAIL_TYPE),
  detail: z.object({ ...commandDetail, 'expire-after': z.string().optional() }),
});

export const commandEventSchemaUnion = z.discriminatedUnion('detail-type', [invocationEventSchema, commandEventSchema]);

export type CommandEvent =
  | { kind: 'invocation'; eventId: string; time: string; commandId: string; documentName: string; instanceId: string; status: string }
  | { kind: 'command'; eventId: string; time: string; commandId: string; documentName: string; status: string };

/** Parses an EventBridge event into a CommandEvent, or returns the validation problem. */
export function parseCommandEvent(event: unknown): { ok: true; event: CommandEvent } | { ok: false; problem: string } {
  const parsed = commandEventSchemaUnion.safeParse(event);
  if (!parsed.success) return { ok: false, problem: parsed.error.message };
  const data = parsed.data;
  if (data['detail-type'] === INVOCATION_DETAIL_TYPE) {
    return {
      ok: true,
      event: {
        kind: 'invocation',
        eventId: data.id,
        time: data.time,
        commandId: data.detail['command-id'],
        documentName: data.detail['document-name'],
        instanceId: data.detail['instance-id'],
        status: data.detail.status,
      },
    };
  }
  return {
    ok: true,
    event: { kind: 'command', eventId: data.id, time: data.time, commandId: data.detail['command-id'], documentName: data.detail['document-name'], status: data.detail.status },
  };
}
