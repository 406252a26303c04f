import fc from 'fast-check';
import {
  maxProgressUpdates,
  PROGRESS_MIN_INTERVAL_MS,
  progressFraction,
  progressUpdateDue,
} from '../../../../lambda/remediation/fleet/progress';

/** What the fleet request item holds for the throttle (as H5 stores it). */
interface StoredProgress {
  renderedAt?: number;
  finalRendered: boolean;
}

interface ProgressEvent {
  /** The clock of the Lambda handling the event (clocks may disagree: any order). */
  at: number;
  finished: boolean;
}

/**
 * Runs events the way the status path does: a batch of events read the item at the same moment (concurrent Lambdas),
 * each decides with `progressUpdateDue`, then each tries the conditional write the doc comment prescribes. Returns
 * what was rendered, in order.
 */
function simulate(batches: ProgressEvent[][]): { renders: ProgressEvent[]; stored: StoredProgress } {
  const stored: StoredProgress = { finalRendered: false };
  const renders: ProgressEvent[] = [];
  for (const batch of batches) {
    const reads = batch.map((event) => ({ event, read: { ...stored } }));
    for (const { event, read } of reads) {
      if (!progressUpdateDue(read.renderedAt, event.at, event.finished, read.finalRendered)) continue;
      const claimed = event.finished
        ? !stored.finalRendered
        : stored.renderedAt === read.renderedAt && !stored.finalRendered;
      if (!claimed) continue;
      stored.renderedAt = event.at;
      if (event.finished) stored.finalRendered = true;
      renders.push(event);
    }
  }
  return { renders, stored };
}

// Any rate: gaps from 0 ms (a burst of duplicates) to a minute; batches of up to 20 concurrent deliveries.
const gap = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 60_000 }));
const batchSizes = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 200 });

function toBatches(sizes: number[], gaps: number[], lateFinals: number, skew: number[]): ProgressEvent[][] {
  let clock = 1_700_000_000_000;
  const batches: ProgressEvent[][] = sizes.map((size, b) =>
    Array.from({ length: size }, (_, i) => {
      clock += gaps[(b * 31 + i) % gaps.length] ?? 0;
      return { at: clock + (skew[(b + i) % skew.length] ?? 0), finished: false };
    }),
  );
  // The event that finishes the request, then its late duplicates (SSM re-delivers, the sweeper looks again).
  const finals = Array.from({ length: 1 + lateFinals }, (_, i) => ({ at: clock + i * 1_000, finished: true }));
  batches.push(finals.slice(0, 1 + (lateFinals > 0 ? 1 : 0)));
  if (finals.length > 2) batches.push(finals.slice(2));
  return batches;
}

describe('fleet progress throttle', () => {
  it('renders at most the bound for any event rate and concurrency, and always renders the final state once', () => {
    fc.assert(
      fc.property(
        batchSizes,
        fc.array(gap, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.integer({ min: -3_000, max: 3_000 }), { minLength: 1, maxLength: 10 }),
        (sizes, gaps, lateFinals, skew) => {
          // Prepare
          const batches = toBatches(sizes, gaps, lateFinals, skew);
          const times = batches.flat().map((event) => event.at);
          const duration = Math.max(...times) - Math.min(...times);
          // Act
          const { renders, stored } = simulate(batches);
          // Assess
          expect(renders.length).toBeLessThanOrEqual(maxProgressUpdates(duration));
          expect(renders.filter((event) => event.finished)).toHaveLength(1);
          expect(renders[renders.length - 1]?.finished).toBe(true);
          expect(stored.finalRendered).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a flood of events in one interval renders once, then the final state', () => {
    // Prepare: 1,000 results within 4 s, one Lambda each
    const flood = Array.from({ length: 1_000 }, (_, i) => [{ at: 10_000 + i * 4, finished: false }]);
    // Act
    const { renders } = simulate([...flood, [{ at: 14_000, finished: true }]]);
    // Assess
    expect(renders.map((event) => event.finished)).toEqual([false, true]);
  });

  it('renders again once an interval has passed, not before', () => {
    expect(progressUpdateDue(undefined, 0, false)).toBe(true);
    expect(progressUpdateDue(1_000, 1_000 + PROGRESS_MIN_INTERVAL_MS - 1, false)).toBe(false);
    expect(progressUpdateDue(1_000, 1_000 + PROGRESS_MIN_INTERVAL_MS, false)).toBe(true);
    // A Lambda whose clock is behind the last render does not add an update.
    expect(progressUpdateDue(50_000, 40_000, false)).toBe(false);
    expect(progressUpdateDue(50_000, 50_001, true)).toBe(true);
    expect(progressUpdateDue(50_000, 90_000, true, true)).toBe(false);
  });

  it('keeps one fleet request well inside chat.update\'s 50 a minute', () => {
    // Three of headroom: the first and the final render on top of the throttled ones, and one repeat of the final.
    expect(maxProgressUpdates(60_000)).toBeLessThanOrEqual(15);
    expect(maxProgressUpdates(0)).toBe(3);
    expect(maxProgressUpdates(-5)).toBe(3);
  });

  it('progress counts done, failed and skipped as finished', () => {
    expect(progressFraction({ total: 1_000, done: 400, failed: 30, skipped: 50 })).toBeCloseTo(0.48);
    expect(progressFraction({ total: 0, done: 0, failed: 0, skipped: 0 })).toBe(1);
    expect(progressFraction({ total: 10, done: 12, failed: 0, skipped: 0 })).toBe(1);
    expect(progressFraction({ total: 10, done: 5, failed: 0, skipped: 0, unknown: 5 })).toBe(1);
  });
});
