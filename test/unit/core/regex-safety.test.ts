import fc from 'fast-check';
import { NORMALISER_PATTERNS } from '../../../lambda/core/text/normalise';
import { LONG_INPUT_PATTERNS } from '../../../lambda/core/text/long-input';
import { ROUTINE_LINE_PATTERNS } from '../../../lambda/core/diagnosis/routine-lines';
import { DIAGNOSER_PATTERNS } from '../../../lambda/core/diagnosis/create-diagnoser';
import { SIGNATURE_MATCHER_PATTERNS } from '../../../lambda/core/diagnosis/signature-matcher';
import { TOKENISER_PATTERNS } from '../../../lambda/core/text/tokenise';
import { MAX_INPUT_CHARS, LINE_OVERLAP_CHARS, MAX_LINE_CHARS } from '../../../lambda/core/text/limits';
import { proveLinear, recheckRegexSafety } from '../../../lambda/build/regex-safety';
import type { WorkMeter } from '../../../lambda/core/diagnosis/signature-matcher';
import { shippedDiagnoser, shippedRunbooks } from '../../helpers/knowledge';

/**
 * Linear time is argued in two parts, neither of which measures time:
 * 1. recheck proves every pattern free of super-linear backtracking (per-character work is bounded);
 * 2. a property test counts the characters the matcher hands to patterns and bounds them by
 *    patterns × input length (each pattern reads each character at most once, plus window overlap).
 */
describe('regular expressions stay linear on adversarial input', () => {
  it.each(NORMALISER_PATTERNS.map((regex) => [regex.source, regex.flags] as const))('normaliser pattern %s is proven linear', (source, flags) => {
    expect(proveLinear(source, flags.replace(/[gy]/g, ''))).toEqual({ safe: true });
  });

  it.each(TOKENISER_PATTERNS.map((regex) => [regex.source, regex.flags] as const))('tokeniser pattern %s is proven linear', (source, flags) => {
    expect(proveLinear(source, flags.replace(/[gy]/g, ''))).toEqual({ safe: true });
  });

  it.each(
    [...LONG_INPUT_PATTERNS, ...ROUTINE_LINE_PATTERNS, ...DIAGNOSER_PATTERNS, ...SIGNATURE_MATCHER_PATTERNS].map((regex) => [regex.source, regex.flags] as const),
  )('engine pattern %s is proven linear', (source, flags) => {
    expect(proveLinear(source, flags.replace(/[gy]/g, ''))).toEqual({ safe: true });
  });

  it('every runbook signature and exclude is proven linear', () => {
    // Prepare
    const patterns = shippedRunbooks().flatMap((runbook) => [
      ...runbook.signatures.map((s) => `${runbook.id}: ${s.pattern}`),
      ...runbook.excludes.map((p) => `${runbook.id}: ${p}`),
    ]);

    // Act
    const unsafe = patterns.filter((entry) => recheckRegexSafety(entry.slice(entry.indexOf(': ') + 2)) !== undefined);

    // Assess
    expect(unsafe).toEqual([]);
  });

  it('the matcher reads each character at most once per pattern, for any paste up to the limit', () => {
    // Prepare: fragments of real signatures make inputs that look like near-matches, the worst case for backtracking.
    const diagnoser = shippedDiagnoser();
    const patterns = shippedRunbooks().reduce((n, r) => n + r.signatures.length + r.excludes.length, 0);
    const fragments = shippedRunbooks()
      .flatMap((r) => r.signatures.map((s) => s.pattern.replace(/[\\()[\]{}?*+^$|.]/g, '')))
      .filter((f) => f.length > 2);
    const paste = fc
      .array(
        fc.oneof(
          fc.constantFrom(...fragments),
          fc.constantFrom(' ', '\n', '\\"', '`', '(', ')', ':', '\\', '\t', '升级'),
          fc.string({ maxLength: 40 }),
        ),
        { maxLength: 400 },
      )
      .chain((parts) => fc.integer({ min: 1, max: 100 }).map((repeat) => parts.join('').repeat(repeat).slice(0, MAX_INPUT_CHARS + 1000)));

    // Act / Assess
    fc.assert(
      fc.property(paste, (text) => {
        const meter: WorkMeter = { charactersScanned: 0 };
        diagnoser.diagnoseWithMeter(text, 'channel', meter);
        const read = Math.min(text.length, MAX_INPUT_CHARS);
        // Over-long lines are windowed once by the normaliser and the evidence text once more by the matcher.
        const overlapFactor = (1 + LINE_OVERLAP_CHARS / (MAX_LINE_CHARS - LINE_OVERLAP_CHARS)) ** 2;
        expect(meter.charactersScanned).toBeLessThanOrEqual(Math.ceil(patterns * read * overlapFactor));
      }),
      { numRuns: 40 },
    );
  });
});
