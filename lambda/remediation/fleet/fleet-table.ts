import type { FleetOutcome, FleetRecord } from './fleet-store';
import type { FleetFinding } from './types';

/** One row per instance, for H8's "Show per-instance table" (lambda/slack/remediation/fleet-table-listener.ts). */
export interface FleetTableView {
  requestId: string;
  target: string;
  rows: { instanceId: string; outcome: string; detail?: string }[];
}

/**
 * The per-instance table of a fleet request: its outcome (restart) or finding (check) where one is recorded, otherwise
 * `in-flight` (its wave was sent) or `waiting` (a later wave, or no answer yet). Pure.
 */
export function fleetTableOf(record: FleetRecord, outcomes: readonly FleetOutcome[], findings: readonly FleetFinding[]): FleetTableView {
  const outcomeOf = new Map(outcomes.map((outcome) => [outcome.instanceId, outcome]));
  const findingOf = new Map(findings.map((finding) => [finding.instanceId, finding]));
  const sentWaves = new Set(Object.keys(record.waveSent).map(Number));
  const waveOf = new Map(record.waves.flatMap((wave, index) => wave.map((instanceId) => [instanceId, index + 1] as const)));
  const rows = record.instanceIds.map((instanceId) => {
    const outcome = outcomeOf.get(instanceId);
    if (outcome) return { instanceId, outcome: outcome.outcome, detail: outcome.detail };
    const finding = findingOf.get(instanceId);
    if (finding) return { instanceId, outcome: finding.category, detail: finding.detail };
    const wave = waveOf.get(instanceId);
    if (record.phase === 'restart' && wave !== undefined) return sentWaves.has(wave) ? { instanceId, outcome: 'in-flight', detail: `wave ${wave}` } : { instanceId, outcome: 'waiting', detail: `wave ${wave}` };
    return { instanceId, outcome: record.phase === 'check' ? 'checking' : 'waiting' };
  });
  return { requestId: record.requestId, target: record.target, rows };
}
