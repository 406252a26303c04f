import * as z from 'zod';

/**
 * Rolling waves for a fleet restart, and the batches SendCommand takes. Pure.
 *
 * Instances are sent by id, never by tag, in batches of at most {@link SEND_BATCH_SIZE} (SendCommand's limit for
 * `InstanceIds`): the command then runs on exactly the set the check measured and the operator confirmed, each of
 * which holds its own lock, and IAM's `ssm:resourceTag` allow-tag condition is evaluated for every instance named.
 */

/** SendCommand accepts at most 50 instance ids per call. */
export const SEND_BATCH_SIZE = 50;

/** The wave sizes the card offers, as a share of the selected hosts. */
export const WAVE_PERCENT_CHOICES = [1, 5, 10, 25, 50, 100] as const;
export const DEFAULT_WAVE_PERCENT = 5;

/** Failed hosts tolerated before the rollout stops (0: stop at the first failure). */
export const MAX_FAILURES_CHOICES = [0, 1, 2, 5, 10] as const;
export const DEFAULT_MAX_FAILURES = 0;

/** The card's two settings, as they come back from Slack (strings): validated here, at the boundary. */
export const fleetRolloutSchema = z.object({
  wavePercent: z.coerce
    .number()
    .int()
    .refine((value) => (WAVE_PERCENT_CHOICES as readonly number[]).includes(value), { message: `wave size must be one of ${WAVE_PERCENT_CHOICES.join(', ')} %` })
    .default(DEFAULT_WAVE_PERCENT),
  maxFailures: z.coerce
    .number()
    .int()
    .refine((value) => (MAX_FAILURES_CHOICES as readonly number[]).includes(value), { message: `tolerated failures must be one of ${MAX_FAILURES_CHOICES.join(', ')}` })
    .default(DEFAULT_MAX_FAILURES),
});
export type FleetRolloutSettings = z.infer<typeof fleetRolloutSchema>;

/**
 * Hosts per wave: `percent` of the selected hosts, rounded up, at least 1 (and never more than there are).
 *
 * @example
 * waveSize(120, 5) // 6
 * waveSize(7, 5)   // 1
 */
export function waveSize(selected: number, percent: number = DEFAULT_WAVE_PERCENT): number {
  if (selected <= 0) return 0;
  return Math.min(selected, Math.max(1, Math.ceil((selected * percent) / 100)));
}

/** Splits `items` into consecutive chunks of at most `size` (size ≥ 1), order kept. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/** The waves of a rollout: the selected instances in id order, {@link waveSize} at a time. */
export function planWaves(instanceIds: readonly string[], percent: number = DEFAULT_WAVE_PERCENT): string[][] {
  const sorted = [...new Set(instanceIds)].sort();
  return sorted.length === 0 ? [] : chunk(sorted, waveSize(sorted.length, percent));
}

/** SendCommand batches for a set of ids: at most {@link SEND_BATCH_SIZE} each. */
export function sendBatches(instanceIds: readonly string[]): string[][] {
  return chunk(instanceIds, SEND_BATCH_SIZE);
}

/** Whether the rollout must stop: more hosts failed than tolerated. */
export function mustHalt(failed: number, maxFailures: number): boolean {
  return failed > maxFailures;
}
