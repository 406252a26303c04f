import { isSuccessStatus } from '../../core/remediation/command-status';
import { hostText } from '../../core/remediation/host-text';
import type { ScriptResult } from '../../core/remediation/result-line';
import { containersAtRisk, evidenceOf } from '../evidence';
import { type FleetCategory, type FleetFinding } from './types';

/** What one instance's check invocation ended with: SSM's status and, when it printed one, the parsed result line. */
export interface CheckAnswer {
  instanceId: string;
  /** SSM's invocation status (`Success`, `Failed`, `TimedOut`, …). */
  status: string;
  result?: ScriptResult;
}

/**
 * Puts one instance's check into its fleet category. Pure. Only a clean `checked` result line decides; anything else
 * (SSM did not report Success, no readable line, a restart's line, a check that failed) is `unreachable`, because a
 * fleet restart must rest on a measurement, never on the absence of one.
 *
 * @example
 * categorise({ instanceId: 'i-0123456789abcdef0', status: 'Success', result: staleDaemonCheck }).category // 'restart-fixes'
 */
export function categorise(answer: CheckAnswer): FleetFinding {
  const { instanceId, status, result } = answer;
  if (!isSuccessStatus(status) || !result || result.action !== 'check' || result.status !== 'checked') {
    const why = !isSuccessStatus(status)
      ? `SSM reports ${hostText(status, 40)}`
      : !result || result.action !== 'check'
        ? 'the check printed no readable result line'
        : `the check could not finish (${hostText(result.message, 120)})`;
    return { instanceId, category: 'unreachable', verdict: 'no-result', detail: why };
  }
  const evidence = evidenceOf(result);
  const base = { instanceId, verdict: result.verdict, detail: evidence.sentence, runbookId: evidence.runbook };
  switch (result.verdict) {
    case 'stale-daemon': {
      const atRisk = containersAtRisk(result);
      return atRisk === undefined ? { ...base, category: 'restart-fixes' } : { ...base, category: 'docker-stops-containers', runningContainers: atRisk };
    }
    case 'healthy':
      return { ...base, category: 'healthy' };
    case 'managed-elsewhere':
      return { ...base, category: 'managed-elsewhere' };
    default:
      return { ...base, category: 'restart-will-not-help' };
  }
}

/** A finding for an instance that never gave an answer: offline at preflight, not sent, or silent past the bound. */
export function unreachable(instanceId: string, detail: string): FleetFinding {
  return { instanceId, category: 'unreachable', verdict: 'no-result', detail };
}

/** How many findings fall in each category (every category present, zero or more). */
export function countCategories(findings: readonly FleetFinding[]): Record<FleetCategory, number> {
  const counts: Record<FleetCategory, number> = { 'restart-fixes': 0, 'docker-stops-containers': 0, healthy: 0, 'restart-will-not-help': 0, 'managed-elsewhere': 0, unreachable: 0 };
  for (const finding of findings) counts[finding.category] += 1;
  return counts;
}

/** The `restart-will-not-help` findings grouped by verdict, largest group first, each with its runbook. */
export function groupByVerdict(findings: readonly FleetFinding[], category: FleetCategory = 'restart-will-not-help'): { verdict: string; runbookId?: string; instanceIds: string[] }[] {
  const groups = new Map<string, { verdict: string; runbookId?: string; instanceIds: string[] }>();
  for (const finding of findings) {
    if (finding.category !== category) continue;
    const group = groups.get(finding.verdict) ?? { verdict: finding.verdict, ...(finding.runbookId ? { runbookId: finding.runbookId } : {}), instanceIds: [] };
    group.instanceIds.push(finding.instanceId);
    groups.set(finding.verdict, group);
  }
  return [...groups.values()].sort((a, b) => b.instanceIds.length - a.instanceIds.length || a.verdict.localeCompare(b.verdict));
}
