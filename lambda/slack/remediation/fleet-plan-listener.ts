import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction } from '@slack/bolt';
import * as z from 'zod';
import type { AppLogger } from '../../logger';
import type { FleetConfirmClaim, FleetRollout } from '../../remediation/fleet/fleet-rollout';
import { fleetRolloutSchema } from '../../remediation/fleet/waves';
import type { JobQueue } from '../../remediation/jobs';
import { FLEET_PLAN_IDS } from './fleet-plan-card';
import { buildPlanOutcome } from './plan-card';

export const FLEET_PLAN_COPY = {
  confirmed: (selected: number, waves: number, size: number, requestId: string) =>
    `Confirmed (request \`${requestId}\`): ${selected} host(s) in ${waves} wave(s) of ${size}. The status message follows in the channel; failures appear in its thread as they happen.`,
  badSettings: 'Those rollout settings are not among the offered ones, so nothing ran. Pick a wave size and a stop rule from the card.',
  failed: 'Something went wrong before anything was sent, so nothing ran. Run the command again; if it keeps failing, ask the shim-fix admin to check the logs.',
} as const;

/** The card's selects as Slack sends them back in `state.values` (any message payload: validated, never trusted). */
const stateSchema = z.object({
  values: z.record(z.string(), z.record(z.string(), z.object({ selected_option: z.object({ value: z.string() }).nullish() }).loose())).default({}),
});

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * The fleet plan card's buttons: Confirm (the stale hosts), the explicit "…and the hosts where Docker restarts", and
 * the two rollout selects (acknowledged only: their values arrive with the Confirm click). Inside Slack's request only
 * the table is touched; wave 1 is handed to the worker.
 */
export function registerFleetPlanListeners(app: App, deps: { rollout: () => FleetRollout | undefined; queue: JobQueue; logger: AppLogger }): void {
  app.action<BlockAction<ButtonAction>>(FLEET_PLAN_IDS.confirm, (args) => onFleetConfirm(args, false, deps));
  app.action<BlockAction<ButtonAction>>(FLEET_PLAN_IDS.confirmWithDocker, (args) => onFleetConfirm(args, true, deps));
  for (const id of [FLEET_PLAN_IDS.wavePercent, FLEET_PLAN_IDS.maxFailures]) {
    app.action<BlockAction<StaticSelectAction>>(id, async ({ ack }) => ack());
  }
}

/** The chosen settings, validated against the offered values; undefined when they are not. */
export function readRolloutSettings(state: unknown): z.infer<typeof fleetRolloutSchema> | undefined {
  const parsed = stateSchema.safeParse(state ?? {});
  if (!parsed.success) return undefined;
  const chosen = parsed.data.values[FLEET_PLAN_IDS.settingsBlock] ?? {};
  const settings = fleetRolloutSchema.safeParse({
    wavePercent: chosen[FLEET_PLAN_IDS.wavePercent]?.selected_option?.value,
    maxFailures: chosen[FLEET_PLAN_IDS.maxFailures]?.selected_option?.value,
  });
  return settings.success ? settings.data : undefined;
}

async function onFleetConfirm({ ack, body, action, respond, client }: ButtonArgs, includeDocker: boolean, deps: { rollout: () => FleetRollout | undefined; queue: JobQueue; logger: AppLogger }): Promise<void> {
  await ack();
  const settings = readRolloutSettings(body.state);
  const rollout = deps.rollout();
  if (!settings || !rollout) {
    await respond({ replace_original: false, response_type: 'ephemeral', ...buildPlanOutcome(settings ? FLEET_PLAN_COPY.failed : FLEET_PLAN_COPY.badSettings) });
    return;
  }
  let claim: FleetConfirmClaim;
  try {
    claim = await rollout.claimConfirm({ planId: action.value ?? '', userId: body.user.id, includeDocker, rollout: settings });
  } catch (error) {
    deps.logger.error('fleet confirm failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    await respond({ replace_original: true, ...buildPlanOutcome(FLEET_PLAN_COPY.failed) });
    return;
  }
  if (claim.kind !== 'claimed') {
    await respond({ replace_original: true, ...buildPlanOutcome(claim.message) });
    return;
  }
  try {
    await deps.queue.enqueue({ kind: 'fleet-wave', requestId: claim.requestId, wave: 1 }, { chat: client.chat });
  } catch (error) {
    // Claimed but not handed over: nothing was sent, no host is locked yet; the sweeper closes it at its bound.
    deps.logger.error('could not hand over fleet wave 1', { requestId: claim.requestId, error: error instanceof Error ? error.message : String(error) });
    await respond({ replace_original: true, ...buildPlanOutcome(FLEET_PLAN_COPY.failed) });
    return;
  }
  await respond({ replace_original: true, ...buildPlanOutcome(FLEET_PLAN_COPY.confirmed(claim.selected, claim.waves, claim.waveSize, claim.requestId)) });
}
