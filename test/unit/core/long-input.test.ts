import { selectExcerpt } from '../../../lambda/core/text/long-input';

describe('selectExcerpt (inputs over 40,000 characters)', () => {
  const routine = 'Nov 10 12:00:00 node-1 containerd[812]: level=info msg="loading plugin" type=io.containerd.x\n';

  it('passes short input through untouched', () => {
    expect(selectExcerpt('a\nb')).toEqual({ text: 'a\nb', omitted: null });
  });

  it('keeps the end of a log without error-looking lines: the newest lines come last', () => {
    // Prepare
    const input = `${'first line\n'}${routine.repeat(1000)}last line`;

    // Act
    const { text, omitted } = selectExcerpt(input, 10_000);

    // Assess
    expect(text.length).toBeLessThanOrEqual(10_000);
    expect(text.endsWith('last line')).toBe(true);
    expect(text).not.toContain('first line');
    expect(omitted).toMatchObject({ inputChars: input.length });
    expect(omitted!.chars).toBe(input.length - text.length);
  });

  it('keeps an error early in the log with the lines around it, in their order', () => {
    // Prepare
    const input = `${routine.repeat(10)}cause: disk full\nlevel=error msg="failed to start shim"\nafter it\n${routine.repeat(1000)}`;

    // Act
    const { text } = selectExcerpt(input, 10_000);

    // Assess
    expect(text).toContain('cause: disk full\nlevel=error msg="failed to start shim"\nafter it');
    expect(text.length).toBeLessThanOrEqual(10_000);
  });

  it('reads the end of a single line longer than the limit', () => {
    const input = `${'x'.repeat(50_000)} unsupported shim version (3)`;
    expect(selectExcerpt(input, 40_000).text.endsWith('unsupported shim version (3)')).toBe(true);
  });
});
