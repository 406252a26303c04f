/**
 * Live progress of a fleet request without flooding Slack: what the one public status message shows, and when it may
 * be rendered again. Pure: it decides, the caller stores and posts.
 *
 * ## How the fleet flow calls it (H5)
 * Every event that changes a fleet request's counts (a check or restart result for one instance, a wave sent, a halt,
 * the end) does:
 * 1. read the request, including `progressRenderedAt` (epoch ms of the last render, absent before the first) and
 *    whether the final state was rendered (`progressFinalRendered`);
 * 2. `if (!progressUpdateDue(progressRenderedAt, now, finished, progressFinalRendered)) return;`
 * 3. claim the render with ONE conditional write, `SET progressRenderedAt = :now`:
 *    - not finished: `IF (progressRenderedAt = :read OR attribute_not_exists(progressRenderedAt)) AND
 *      attribute_not_exists(progressFinalRendered)`;
 *    - finished: also `SET progressFinalRendered = true`, `IF attribute_not_exists(progressFinalRendered)` only, so the
 *      final render never loses to an intermediate one that claimed in between.
 *    Losing the condition means another event rendered: return without rendering;
 * 4. build a {@link FleetProgressSnapshot} from the counts read AFTER the claim and `chat.update` the status message
 *    with `buildFleetProgressMessage(snapshot)` (lambda/slack/remediation/fleet-progress-message.ts).
 *
 * Because every render is claimed against the previous one, concurrent events (many Lambdas at once) render at most
 * once per {@link PROGRESS_MIN_INTERVAL_MS}, and a request whose events last `d` ms is updated at most
 * {@link maxProgressUpdates}`(d)` times whatever the event rate. The final render is never throttled, so the message
 * always ends on the final counts: an intermediate render that finds the final one claimed after its own chat.update
 * repeats the final (a slow update must not overwrite a fast final one). An intermediate state can stay on screen until
 * the next event (there is no timer);
 * the sweeper may render a request it finds quiet, through the same claim.
 *
 * The status message's "Show per-instance table" button reads the store's `readFleetTable` (FleetStore) through the
 * `FleetOutcomeReader` port of lambda/slack/remediation/fleet-table-listener.ts.
 *
 * @example
 * if (progressUpdateDue(request.progressRenderedAt, clock.now(), finished, request.progressFinalRendered)) {
 *   if (await store.claimProgressRender(requestId, request.progressRenderedAt, now, finished)) {
 *     await slack.chat.update({ channel, ts, ...buildFleetProgressMessage(snapshotOf(await store.get(requestId), now)) });
 *   }
 * }
 */

/**
 * Minimum time between two renders of one request's status message (final render excepted).
 *
 * `chat.update` is a Tier 3 Web API method: 50+ calls per minute, counted per method, per workspace, per app, with
 * sporadic bursts tolerated (Slack's rate-limit page, docs.slack.dev/apis/web-api/rate-limits). That budget is shared
 * by every status message the app updates in the workspace, so one fleet request takes at most 12 a minute: four
 * fleet rollouts at once still leave room for single-instance requests, and a human reading the bar sees it move
 * every few seconds.
 */
export const PROGRESS_MIN_INTERVAL_MS = 5_000;

/** Where a fleet request is: checking every instance first, or restarting in rolling waves after Confirm. */
export type FleetProgressPhase = 'check' | 'restart';

/**
 * What the status message shows. The instance counts are disjoint: `done + failed + skipped + unknown + inFlight <= total`; the
 * rest are waiting for a later wave (or, in the check phase, for their result).
 */
export interface FleetProgressSnapshot {
  requestId: string;
  /** As the requester typed it, e.g. `tag:env=prod`. */
  target: string;
  phase: FleetProgressPhase;
  /** Instances in this request (for a restart: the ones Confirm selected). */
  total: number;
  /** Finished successfully (restarted and verified, or checked). */
  done: number;
  /** Finished with a failure (command failed, timed out, verification failed, no result). */
  failed: number;
  /** Never sent: locked by another request, or stopped after the first failure. */
  skipped: number;
  /** Sent, no terminal status yet. */
  inFlight: number;
  /** Sent, but SSM's answer proves nothing (SendCommand timed out, the give-up bound passed): neither done nor failed. */
  unknown?: number;
  /** 1-based wave being rolled out and how many waves there are; both 0 in the check phase. */
  wave: { index: number; count: number };
  /** Epoch ms: when the request started sending. */
  startedAt: number;
  /** Epoch ms: the time of this render (the injected clock). */
  now: number;
  finished: boolean;
  /** Why the rollout stopped early, e.g. `stopped after the first failure (i-0abc…)`; shown as written (escaped). */
  haltedReason?: string;
}

/**
 * Whether an event may render the status message now: the final state is always due (once: pass
 * `finalAlreadyRendered` from the request), anything else only when the last render is at least
 * {@link PROGRESS_MIN_INTERVAL_MS} old. A clock behind the last render (another Lambda's) is not due, so skew can
 * delay an update but never add one.
 *
 * @example
 * progressUpdateDue(undefined, 1_000, false)      // true: first render
 * progressUpdateDue(1_000, 3_000, false)          // false: 2 s after the last
 * progressUpdateDue(1_000, 3_000, true)           // true: final
 * progressUpdateDue(1_000, 9_000, true, true)     // false: final already shown
 */
export function progressUpdateDue(
  lastRenderedAt: number | undefined,
  now: number,
  finished: boolean,
  finalAlreadyRendered = false,
  intervalMs = PROGRESS_MIN_INTERVAL_MS,
): boolean {
  if (finalAlreadyRendered) return false;
  if (finished) return true;
  if (lastRenderedAt === undefined) return true;
  return now - lastRenderedAt >= intervalMs;
}

/**
 * The most renders a request whose events span `durationMs` can cause: throttled renders are at least one interval
 * apart, so at most `ceil(d / interval) + 1` of them, plus the one final render, plus one repeat of the final by an
 * intermediate render that reached Slack after it (fleet-rollout.ts). Renders start at least an interval apart and a
 * `chat.update` gives up after 2 s (SLACK_CLIENT_TIMEOUT_MS), so only one intermediate render can still be in flight
 * when the final one is claimed.
 *
 * @example
 * maxProgressUpdates(30 * 60_000) // 363 for a 30-minute rollout at 5 s
 */
export function maxProgressUpdates(durationMs: number, intervalMs = PROGRESS_MIN_INTERVAL_MS): number {
  return Math.ceil(Math.max(0, durationMs) / intervalMs) + 3;
}

/** Share of the request that is finished (done, failed, skipped or unknown), 0 to 1; 1 for an empty request. */
export function progressFraction(snapshot: Pick<FleetProgressSnapshot, 'total' | 'done' | 'failed' | 'skipped' | 'unknown'>): number {
  if (snapshot.total <= 0) return 1;
  const finished = snapshot.done + snapshot.failed + snapshot.skipped + (snapshot.unknown ?? 0);
  return Math.min(1, Math.max(0, finished / snapshot.total));
}
