import fc from 'fast-check';
import { dedupeKey, MAX_READABLE_KEY_CHARS } from '../../../lambda/slack/dedupe-key';

describe('dedupeKey', () => {
  test('short, well-formed parts stay readable', () => {
    // Act
    const key = dedupeKey('reply', 'C0CHANNEL1', '1712345678.000100');

    // Assess
    expect(key).toBe('reply:C0CHANNEL1:1712345678.000100');
  });

  test('any parts give a key DynamoDB accepts (at most 2,048 UTF-8 bytes, no lone surrogate), the same for the same parts', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 3000 }), { maxLength: 5 }), (parts) => {
        // Act
        const key = dedupeKey('click', ...parts);

        // Assess
        expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(2048);
        expect(Buffer.from(key, 'utf8').toString('utf8')).toBe(key);
        expect(dedupeKey('click', ...parts)).toBe(key);
      }),
    );
  });

  test('parts that would collide when joined do not: the hash covers each part separately', () => {
    // Prepare
    const long = 'x'.repeat(MAX_READABLE_KEY_CHARS);

    // Act
    const keys = [dedupeKey('click', `${long}:a`, 'b'), dedupeKey('click', long, 'a:b')];

    // Assess
    expect(keys[0]).not.toBe(keys[1]);
  });
});
