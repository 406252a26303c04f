import type { IdempotencyStore } from '../../aws/idempotency-store';
import type { AppLogger } from '../../logger';
import { describeError } from '../../remediation/fleet/fleet-deps';
import { DEDUPE_TTL_SECONDS } from '../types';

/** One click of one user, claimed for {@link DEDUPE_TTL_SECONDS}.click: `taken` when an earlier click holds it. */
export interface ClickClaim {
  readonly taken: boolean;
  /** Gives the claim back (what the click was to start did not start), so the next click may try again. Never throws. */
  release(): Promise<void>;
}

/**
 * Claims `key` for a button that starts a read-only check (Restart under a check result, "Restart the N stale
 * hosts…"). Fails open when the store cannot be reached or is not given: a second check is the worst a lost claim
 * costs, and the plan card's Confirm has its own once-only claim.
 *
 * @example
 * const click = await claimClick(dedupeKey('scan-restart', scanId, userId), deps);
 * if (click.taken) return tell('already running');
 */
export async function claimClick(key: string, deps: { clicks?: IdempotencyStore; logger: AppLogger }): Promise<ClickClaim> {
  const { clicks, logger } = deps;
  const unclaimed: ClickClaim = { taken: false, release: async () => undefined };
  if (!clicks) return unclaimed;
  try {
    if (!(await clicks.claim(key, DEDUPE_TTL_SECONDS.click))) return { taken: true, release: async () => undefined };
  } catch (error) {
    logger.warn('could not claim the click; going on (it starts a read-only check)', { error: describeError(error) });
    return unclaimed;
  }
  return { taken: false, release: () => clicks.release(key).catch(() => undefined) };
}
