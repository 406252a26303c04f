import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import * as z from 'zod';
import type { AppLogger } from '../../logger';
import { slackErrorCode } from '../answer-paste';
import { FLEET_TABLE_ACTION_ID } from './fleet-progress-message';
import { buildFleetTableMessages, type FleetTable } from './fleet-table-message';

/**
 * The port the table button reads through: every instance of a fleet request with its outcome so far. The remediation
 * store implements it (`FleetStore.readFleetTable`, per-instance outcome items); `undefined` means no such request.
 */
export interface FleetOutcomeReader {
  readFleetTable(requestId: string): Promise<FleetTable | undefined>;
}

const fleetTableSchema = z.object({
  requestId: z.string(),
  target: z.string(),
  rows: z.array(z.object({ instanceId: z.string(), outcome: z.string(), detail: z.string().optional() })),
});

/**
 * `store` as a {@link FleetOutcomeReader}: its `readFleetTable`, looked up when the button is clicked (the store is a
 * lazy adapter that loads the AWS SDK on first use, and a proxy answers `in` for nothing it has not loaded), its answer
 * validated with zod. A store without the method reads as "no such request". Structural on purpose: the listener is
 * registered with the remediation store whichever version of the FleetStore port it implements.
 */
export function fleetOutcomeReaderOf(store: object): FleetOutcomeReader {
  return {
    readFleetTable: async (requestId) => {
      const read: unknown = Reflect.get(store, 'readFleetTable');
      if (typeof read !== 'function') return undefined;
      const found: unknown = await read.call(store, requestId);
      return found === undefined ? undefined : fleetTableSchema.parse(found);
    },
  };
}

export const FLEET_TABLE_COPY = {
  unknownRequest: 'shim-fix has no per-instance outcomes for this request (it may be older than the audit trail keeps). Nothing was posted.',
  unavailable: 'shim-fix could not read the per-instance outcomes right now. Try the button again in a minute.',
} as const;

// The button's value is ours, but it arrives in a payload anyone in the channel can send: only a request id passes.
const requestIdSchema = z.string().regex(/^r-[A-Za-z0-9_-]{1,40}$/);

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * "Show per-instance table" on a fleet status message: posts the table in that message's thread, a few posts at most
 * whatever the fleet size (see `maxTablePosts`). A failure to read is told to the clicker only.
 *
 * @example
 * registerFleetTableListener(app, { outcomes: remediationStore, logger });
 */
export function registerFleetTableListener(app: App, { outcomes, logger }: { outcomes: object; logger: AppLogger }): void {
  const deps = { outcomes: fleetOutcomeReaderOf(outcomes), logger };
  app.action<BlockAction<ButtonAction>>(FLEET_TABLE_ACTION_ID, (args) => showFleetTable(args, deps));
}

async function showFleetTable({ ack, body, action, client, respond }: ButtonArgs, deps: { outcomes: FleetOutcomeReader; logger: AppLogger }): Promise<void> {
  await ack();
  const requestId = requestIdSchema.safeParse(action.value);
  const channel = body.channel?.id ?? body.container?.channel_id;
  const threadTs = body.message?.thread_ts ?? body.message?.ts;
  if (!requestId.success || !channel || !threadTs) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: FLEET_TABLE_COPY.unknownRequest });
    return;
  }
  let table: FleetTable | undefined;
  try {
    table = await deps.outcomes.readFleetTable(requestId.data);
  } catch (error) {
    deps.logger.error('could not read the fleet outcomes', { requestId: requestId.data, error });
    await respond({ response_type: 'ephemeral', replace_original: false, text: FLEET_TABLE_COPY.unavailable });
    return;
  }
  if (!table) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: FLEET_TABLE_COPY.unknownRequest });
    return;
  }
  for (const message of buildFleetTableMessages(table)) {
    try {
      await client.chat.postMessage({ channel, thread_ts: threadTs, ...message });
    } catch (error) {
      // The rest would fail the same way (not in channel, rate limited): say so once instead of half a table silently.
      deps.logger.warn('could not post the fleet table', { requestId: requestId.data, slackError: slackErrorCode(error) });
      await respond({ response_type: 'ephemeral', replace_original: false, text: FLEET_TABLE_COPY.unavailable });
      return;
    }
  }
}
