import type { AppLogger } from '../../logger';
import type { FleetWaveJob } from '../../remediation/fleet/fleet-jobs';
import type { FleetService } from '../../remediation/fleet/fleet-service';

/**
 * Sends one wave of a confirmed fleet restart (claimed once: a repeated job sends nothing). A failure is logged, not
 * thrown back to Lambda's retries: the wave's claim is taken, and the sweeper gives the rollout up at its bound.
 */
export async function runFleetWaveJob(job: FleetWaveJob, fleet: FleetService | undefined, logger: AppLogger): Promise<void> {
  if (!fleet) {
    logger.error('a fleet wave arrived where the fleet flow is not wired', { requestId: job.requestId, wave: job.wave });
    return;
  }
  try {
    await fleet.rollout.runWave(job.requestId, job.wave);
  } catch (error) {
    logger.error('fleet wave failed', { requestId: job.requestId, wave: job.wave, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}
