import fc from 'fast-check';
import { normalise } from '../../../lambda/core/text/normalise';
import { MAX_INPUT_CHARS, MAX_LINE_CHARS } from '../../../lambda/core/text/limits';

describe('normalise', () => {
  it.each([
    ['Slack code fences and backticks', '```\nfailed to start shim\n```', ['failed to start shim']],
    ['journalctl prefixes', 'Nov 10 12:00:01 node-1 containerd[812]: unsupported shim version (3)', ['unsupported shim version (3)']],
    ['klog prefixes', 'E1110 12:00:01.123456    1234 remote_runtime.go:176] "RunPodSandbox from runtime service failed"', ['"RunPodSandbox from runtime service failed"']],
    ['ISO timestamps', '2024-11-10T12:00:01.123Z failed to start shim', ['failed to start shim']],
    ['logrus fields', 'time="2024-11-10T12:00:01Z" level=error msg="failed to start shim"', ['failed to start shim"']],
    ['ANSI colours', '\u001b[31mERRO\u001b[0m[0000] failed to start shim', ['ERRO[0000] failed to start shim']],
    ['escaped ANSI colours from JSON logs', '\\u001b[31mfailed\\u001b[0m', ['failed']],
    ['escaped quotes', 'err=\\"rpc error: code = Unimplemented\\"', ['err="rpc error: code = Unimplemented"']],
    ['double-escaped quotes', 'err=\\\\\\"failed\\\\\\"', ['err="failed"']],
    ['JSON line breaks', '"Error": "first line\\nsecond line"', ['"Error": "first line', 'second line"']],
    ['backslash line continuations', 'failed to create containerd task: \\ \nfailed to start shim', ['failed to create containerd task: failed to start shim']],
    ['Slack links and entities', '&lt;<https://example.org|the docs>&gt; &amp; <https://x.org/y>', ['<the docs> & https://x.org/y']],
    ['runs of spaces and tabs', 'a \t  b', ['a b']],
    ['blank lines', '\n\n  \nx\n', ['x']],
    ['Windows line endings', 'a\r\nb\rc', ['a', 'b', 'c']],
  ])('removes %s', (_, input, expected) => {
    expect(normalise(input).lines).toEqual(expected);
  });

  it('reads the end of an over-long input (the newest lines of a log) and says what it left out', () => {
    // Prepare
    const input = `${'x'.repeat(MAX_INPUT_CHARS)}\nunsupported shim version (3)`;

    // Act
    const result = normalise(input);

    // Assess
    expect(result.truncated).toBe(true);
    expect(result.text).toContain('unsupported shim version (3)');
    expect(result.omitted).toEqual({ chars: MAX_INPUT_CHARS + 1, lines: 1, inputChars: input.length });
  });

  it.each([
    ['logrus', 'time="2024-11-10T12:00:01Z" level=info msg="started"', 'info'],
    ['logrus error', 'level=error msg="failed"', 'error'],
    ['klog', 'W1110 12:00:01.123456    1234 checks.go:1] careful', 'warn'],
    ['crictl', 'FATA[0000] listing containers: failed', 'fatal'],
    ['dockerd with a timestamp', 'INFO[2023-09-18T12:26:15.147143304Z] loading plugin "io.containerd.runtime.v1.linux"...', 'info'],
    ['a kubectl event row', 'Normal   Pulled   3m   kubelet  Successfully pulled image', 'info'],
    ['a klog error quoting an info field', 'E1110 12:00:01.123456    1234 x.go:1] "failed" err="level=info msg=x"', 'error'],
    ['plain text', 'failed to start shim', null],
  ])('reads the log level of %s', (_, input, level) => {
    expect(normalise(input).levels).toEqual([level]);
  });

  it.each([
    ['e-mail and Markdown quoting', '> > failed to start shim', ['failed to start shim']],
    ['typographic quotes', 'no runtime for “nvidia” is configured', ['no runtime for "nvidia" is configured']],
    ['mojibake quotes', 'no runtime for \u00e2\u20ac\u0153nvidia\u00e2\u20ac\u009d is configured', ['no runtime for "nvidia" is configured']],
    ['replacement characters', 'no runtime for \ufffdnvidia\ufffd is configured', ['no runtime for "nvidia" is configured']],
  ])('repairs copy-paste damage: %s', (_, input, expected) => {
    expect(normalise(input).lines).toEqual(expected);
  });

  it('cuts an over-long line into overlapping windows so a match across a cut survives', () => {
    // Prepare
    const needle = 'unsupported shim version (3)';
    const input = `${'y'.repeat(MAX_LINE_CHARS - 10)}${needle}${'z'.repeat(3000)}`;

    // Act
    const { lines } = normalise(input);

    // Assess
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.some((line) => line.includes(needle))).toBe(true);
  });

  it('never throws, never returns a line longer than the limit or with control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 5000 }), (input) => {
        const { lines } = normalise(input);
        for (const line of lines) {
          expect(line.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
          // eslint-disable-next-line no-control-regex -- asserting none survive
          expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u001b]/);
          expect(line).toBe(line.trim());
          expect(line).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every word of a plain one-line message', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 30 }), (words) => {
        expect(normalise(words.join(' ')).lines).toEqual([words.join(' ')]);
      }),
    );
  });
});

describe('normalise (hard-wrapped lines)', () => {
  it('glues a message a terminal wrapped at a fixed column, even mid-word', () => {
    // Prepare: one line cut into 60-character rows, the way a narrow terminal or mail client wraps it
    const message = 'ctr: failed to create shim task: failed to start shim: start failed: unsupported shim version (3): not implemented: unknown';
    const rows = message.match(/.{1,60}/g)!;

    // Act
    const { lines } = normalise(rows.join('\n'));

    // Assess
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[0]!.length).toBe(60);
    expect(lines).toEqual([message]);
  });

  it('leaves equal-length log records and padded tables alone', () => {
    const records = ['Nov 10 12:00:00 node-1 containerd[812]: level=info msg="loading plugin" id=aa', 'Nov 10 12:00:00 node-1 containerd[812]: level=info msg="loading plugin" id=bb'];
    const table = ['kube-system   etcd-master                      1/1     Running   0   5m', 'kube-system   kube-apiserver-master            1/1     Running   0   5m'];
    expect(normalise(records.join('\n')).lines).toHaveLength(2);
    expect(normalise(table.join('\n')).lines).toHaveLength(2);
  });
});
