/**
 * One bound for how long a sent request is tracked, and the instance lock derived from it, so that the lock can never
 * expire while shim-fix still considers the request in flight (a second restart would overlap the first).
 *
 * The sweeper gives a request up (tells the thread, closes it `unknown`, releases its locks) once it is older than
 * {@link giveUpAfterMs}. The lock's own expiry is only the backstop for a sweeper that never runs: it lasts the same
 * bound plus two sweep periods, because a sweep runs every {@link SWEEP_SCHEDULE_MINUTES} minutes and may notice the
 * bound up to one period late.
 */

/** How often the sweeper runs (infra schedules it with this number). */
export const SWEEP_SCHEDULE_MINUTES = 5;

/**
 * A single instance: delivery timeout (600 s) + the restart document's execution timeout (600 s), with a generous
 * margin for an agent that loses contact mid-run and reports late.
 */
export const GIVE_UP_BASE_MS = 60 * 60_000;

/**
 * Added per instance after the first: a fleet rolls out one instance at a time, and each may take the restart
 * document's whole execution timeout (600 s), so a shorter slot would give up on (and unlock) a fleet still running.
 */
export const GIVE_UP_PER_EXTRA_INSTANCE_MS = 10 * 60_000;

/** Milliseconds after sending after which the sweeper gives a request up. */
export function giveUpAfterMs(instanceCount: number, base = GIVE_UP_BASE_MS, perExtraInstance = GIVE_UP_PER_EXTRA_INSTANCE_MS): number {
  return base + Math.max(0, instanceCount - 1) * perExtraInstance;
}

/** Seconds an instance lock lives when nothing releases it: the give-up bound plus two sweep periods. */
export function lockTtlSeconds(instanceCount: number): number {
  return Math.ceil(giveUpAfterMs(instanceCount) / 1000) + 2 * SWEEP_SCHEDULE_MINUTES * 60;
}
