import fc from 'fast-check';
import { chunk, fleetRolloutSchema, mustHalt, planWaves, SEND_BATCH_SIZE, sendBatches, waveSize } from '../../../../lambda/remediation/fleet/waves';

const ids = (count: number) => Array.from({ length: count }, (_, index) => `i-${index.toString(16).padStart(17, '0')}`);

describe('waveSize', () => {
  it.each([
    [120, 5, 6],
    [1000, 5, 50],
    [7, 5, 1],
    [1, 100, 1],
    [0, 5, 0],
    [30, 25, 8],
  ])('%i hosts at %i %% → %i per wave', (selected, percent, expected) => {
    expect(waveSize(selected, percent)).toBe(expected);
  });

  it('property: at least 1 and at most all hosts, never below the share asked for', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(1, 5, 10, 25, 50, 100), (selected, percent) => {
        const size = waveSize(selected, percent);
        expect(size).toBeGreaterThanOrEqual(1);
        expect(size).toBeLessThanOrEqual(selected);
        expect(size).toBeGreaterThanOrEqual((selected * percent) / 100);
      }),
    );
  });
});

describe('planWaves and sendBatches', () => {
  it('property: waves partition the selected hosts exactly once, in id order, each wave the same size but the last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(1, 5, 10, 25, 50, 100), (count, percent) => {
        const selected = ids(count).reverse();
        const waves = planWaves(selected, percent);
        expect(waves.flat()).toEqual([...selected].sort());
        const size = waveSize(count, percent);
        waves.slice(0, -1).forEach((wave) => expect(wave).toHaveLength(size));
        if (waves.length > 0) expect(waves.at(-1)?.length).toBeLessThanOrEqual(size);
      }),
    );
  });

  it('property: no SendCommand batch exceeds 50 ids and batches keep every id once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (count) => {
        const batches = sendBatches(ids(count));
        batches.forEach((batch) => expect(batch.length).toBeLessThanOrEqual(SEND_BATCH_SIZE));
        expect(batches.flat()).toEqual(ids(count));
        expect(batches).toHaveLength(Math.ceil(count / SEND_BATCH_SIZE));
      }),
    );
  });

  it('a duplicate id is planned once', () => {
    expect(planWaves(['i-00000000000000002', 'i-00000000000000001', 'i-00000000000000002'], 100)).toEqual([['i-00000000000000001', 'i-00000000000000002']]);
  });

  it('refuses a chunk size below 1', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('fleetRolloutSchema (the card settings, validated at the boundary)', () => {
  it('defaults to 5 % and stop at the first failure', () => {
    expect(fleetRolloutSchema.parse({})).toEqual({ wavePercent: 5, maxFailures: 0 });
  });

  it('accepts the offered values as Slack sends them (strings)', () => {
    expect(fleetRolloutSchema.parse({ wavePercent: '25', maxFailures: '2' })).toEqual({ wavePercent: 25, maxFailures: 2 });
  });

  it.each([{ wavePercent: '7' }, { wavePercent: '0' }, { maxFailures: '-1' }, { maxFailures: '11' }, { wavePercent: 'all' }])('refuses %o', (value) => {
    expect(fleetRolloutSchema.safeParse(value).success).toBe(false);
  });

  it('mustHalt: more failures than tolerated', () => {
    expect([mustHalt(0, 0), mustHalt(1, 0), mustHalt(2, 2), mustHalt(3, 2)]).toEqual([false, true, false, true]);
  });
});
