import { FleetCheck } from './fleet-check';
import { pollLostAnswers, type FleetDeps } from './fleet-deps';
import { FleetRollout } from './fleet-rollout';
import type { FleetCheckStartInput, FleetCheckStarter } from './types';

/** An SSM status event as the fleet flow needs it (lambda/aws/command-events.ts parses the wire shape). */
export type FleetStatusEvent = { kind: 'invocation'; commandId: string; instanceId: string; status: string } | { kind: 'command'; commandId: string; status: string };

/**
 * The fleet flow's entry points, for the places that wire it: the worker (start a check, send a wave), the status
 * handler (one call per event of a fleet request) and the sweeper (one call per fleet request in flight).
 *
 * @example
 * const fleet = new FleetService({ ...deps, completions: { restart: planCard, scan: scanReport } });
 * await fleet.startFleetCheck({ purpose: 'scan', channelId: 'C1', source: { kind: 'allow-tagged' } });
 */
export class FleetService implements FleetCheckStarter {
  public readonly check: FleetCheck;
  public readonly rollout: FleetRollout;

  public constructor(private readonly deps: FleetDeps) {
    this.check = new FleetCheck(deps);
    this.rollout = new FleetRollout(deps);
  }

  public startFleetCheck(input: FleetCheckStartInput): Promise<{ checkRequestId: string } | { refused: string }> {
    return this.check.startFleetCheck(input);
  }

  /**
   * One SSM event of a fleet request (its audit record carries `fleet.phase`). A terminal invocation records that
   * instance's finding or outcome once; a terminal command event fills in its invocations whose own events were lost.
   * Duplicate, late and out-of-order events change nothing.
   */
  public async onStatusEvent(requestId: string, phase: 'check' | 'restart', event: FleetStatusEvent, listInvocations: (commandId: string) => Promise<{ instanceId: string; status: string }[]>): Promise<'applied' | 'duplicate'> {
    const record = (commandId: string, instanceId: string, status: string) =>
      phase === 'check' ? this.check.recordAnswer(requestId, commandId, instanceId, status) : this.rollout.recordAnswer(requestId, commandId, instanceId, status);
    if (event.kind === 'invocation') return (await record(event.commandId, event.instanceId, event.status)) ? 'applied' : 'duplicate';
    let changed = false;
    for (const invocation of await listInvocations(event.commandId)) {
      if (await record(event.commandId, invocation.instanceId, invocation.status)) changed = true;
    }
    return changed ? 'applied' : 'duplicate';
  }

  /** The sweeper's call for a fleet request in flight: lost events polled, the give-up bound applied. */
  public async sweep(requestId: string, phase: 'check' | 'restart', now: number): Promise<'completed' | 'running' | 'givenUp'> {
    const polled = await pollLostAnswers(this.deps, requestId, now, (commandId, instanceId, status) =>
      phase === 'check' ? this.check.recordAnswer(requestId, commandId, instanceId, status) : this.rollout.recordAnswer(requestId, commandId, instanceId, status),
    );
    if (polled.state !== 'past-bound') return polled.state;
    return phase === 'check' ? this.check.giveUp(polled.fleet, polled.minutes) : this.rollout.giveUp(polled.fleet, polled.minutes);
  }
}
