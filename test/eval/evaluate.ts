import type { Diagnoser, Diagnosis } from '../../lambda/core/diagnosis/types';
import type { Paste } from './pastes';

/** Issue 11's floors, enforced on the held-out part. */
export const FLOORS = { directTop1: 0.9, channelRecall: 0.8, wrongChannelAnswers: 0, channelAnswersOnNegatives: 0 } as const;

export interface PasteResult {
  paste: Paste;
  /** Runbooks the direct answer names first: the best candidate, or both runbooks of an honest pair. */
  direct: string[];
  /** Runbooks a channel answer names (empty when silent). */
  channel: string[];
  confidence: number;
}

export interface Metrics {
  positives: number;
  negatives: number;
  directTop1: number;
  channelCorrect: number;
  channelWrong: number;
  negativesAnswered: number;
  results: PasteResult[];
}

/** What an answer names: one runbook, both of an ambiguous pair, or nothing. */
export function named(diagnosis: Diagnosis, presented: 'answer' | 'best'): string[] {
  if (diagnosis.ambiguous && diagnosis.pair) return diagnosis.pair.candidates.map((c) => c.runbook.id);
  if (diagnosis.runbook) return [diagnosis.runbook.id];
  const best = diagnosis.candidates[0];
  return presented === 'best' && best ? [best.runbook.id] : [];
}

export function evaluate(diagnoser: Pick<Diagnoser, 'diagnose'>, pastes: readonly Paste[]): Metrics {
  const results = pastes.map((paste): PasteResult => {
    const direct = diagnoser.diagnose(paste.text, { mode: 'direct' });
    const channel = diagnoser.diagnose(paste.text, { mode: 'channel' });
    return {
      paste,
      direct: named(direct, 'best'),
      channel: channel.shouldAnswer ? named(channel, 'answer') : [],
      confidence: channel.confidence,
    };
  });
  const positives = results.filter((r) => r.paste.category !== 'none');
  const negatives = results.filter((r) => r.paste.category === 'none');
  return {
    positives: positives.length,
    negatives: negatives.length,
    directTop1: positives.filter((r) => r.direct.includes(r.paste.category)).length,
    channelCorrect: positives.filter((r) => r.channel.includes(r.paste.category)).length,
    channelWrong: positives.filter((r) => r.channel.length > 0 && !r.channel.includes(r.paste.category)).length,
    negativesAnswered: negatives.filter((r) => r.channel.length > 0).length,
    results,
  };
}

/** Every floor the metrics miss, as a sentence; empty when all hold. */
export function floorViolations(metrics: Metrics): string[] {
  const share = (n: number, d: number): number => (d === 0 ? 1 : n / d);
  const violations: string[] = [];
  const top1 = share(metrics.directTop1, metrics.positives);
  const recall = share(metrics.channelCorrect, metrics.positives);
  if (top1 < FLOORS.directTop1) violations.push(`direct top-1 ${pct(top1)} < ${pct(FLOORS.directTop1)}`);
  if (recall < FLOORS.channelRecall) violations.push(`channel recall ${pct(recall)} < ${pct(FLOORS.channelRecall)}`);
  if (metrics.channelWrong > FLOORS.wrongChannelAnswers) violations.push(`${metrics.channelWrong} wrong channel answers`);
  if (metrics.negativesAnswered > FLOORS.channelAnswersOnNegatives) violations.push(`${metrics.negativesAnswered} channel answers on negatives`);
  return violations;
}

export function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** A per-category table and the misses, printed by the accuracy test and the benchmark. */
export function report(title: string, metrics: Metrics): string {
  const rows = new Map<string, { n: number; top1: number; answered: number; wrong: number }>();
  for (const r of metrics.results) {
    const row = rows.get(r.paste.category) ?? { n: 0, top1: 0, answered: 0, wrong: 0 };
    row.n += 1;
    if (r.paste.category === 'none') {
      if (r.channel.length > 0) row.wrong += 1;
    } else {
      if (r.direct.includes(r.paste.category)) row.top1 += 1;
      if (r.channel.includes(r.paste.category)) row.answered += 1;
      else if (r.channel.length > 0) row.wrong += 1;
    }
    rows.set(r.paste.category, row);
  }
  const lines = [
    '',
    `${title}: ${metrics.positives} positives, ${metrics.negatives} negatives; direct top-1 ${pct(metrics.directTop1 / Math.max(1, metrics.positives))}, channel recall ${pct(metrics.channelCorrect / Math.max(1, metrics.positives))}, wrong channel answers ${metrics.channelWrong}, channel answers on negatives ${metrics.negativesAnswered}`,
    'category                          pastes  top-1  answered-in-channel  wrong-in-channel',
  ];
  for (const [category, row] of [...rows].sort()) {
    lines.push(`${category.padEnd(34)}${String(row.n).padStart(6)}${String(row.top1).padStart(7)}${String(row.answered).padStart(21)}${String(row.wrong).padStart(18)}`);
  }
  return lines.join('\n');
}

/** The pastes the engine got wrong, for tuning; print these for the development part only. */
export function misses(metrics: Metrics): string[] {
  return metrics.results
    .filter((r) => (r.paste.category === 'none' ? r.channel.length > 0 : !r.direct.includes(r.paste.category) || !r.channel.includes(r.paste.category)))
    .map((r) => `  miss ${r.paste.id}: expected ${r.paste.category}, direct ${r.direct.join('+') || '-'}, channel ${r.channel.join('+') || 'silent'} (${r.confidence})`);
}
