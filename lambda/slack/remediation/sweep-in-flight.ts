import { sweep, type SweepOptions, type SweepReport } from '../../remediation/sweep';
import { withSlackNotifier, type StatusUpdateDeps } from './status-updates';

export { SWEEP_DEFAULTS, SWEEP_SCHEDULE_MINUTES, type SweepOptions, type SweepReport } from '../../remediation/sweep';

/**
 * One sweep of the requests still in flight (lambda/remediation/sweep.ts decides what each one needs), shown in Slack.
 *
 * @example
 * const report = await sweepInFlight(await buildStatusDeps());
 */
export function sweepInFlight(deps: StatusUpdateDeps, options: SweepOptions = {}): Promise<SweepReport> {
  return sweep(withSlackNotifier(deps), options);
}
