import fc from 'fast-check';
import { gapFromPaste, groupGaps } from '../../../../lambda/core/knowledge-gaps/gaps';
import { firstErrorLine, groupKey, redact } from '../../../../lambda/core/knowledge-gaps/redact';

const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });
const upperAlnum = (length: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), minLength: length, maxLength: length });
const alnum = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: min, maxLength: max });
const label = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 12 }).filter((s) => /^[a-z0-9]/.test(s));
const tld = fc.constantFrom('com', 'internal', 'net', 'io', 'local');

/** Secrets and identifiers as they appear in real pastes, each with the pattern that must not survive. */
const secrets: Array<[string, fc.Arbitrary<string>, RegExp]> = [
  ['Slack bot/user/app tokens', fc.tuple(fc.constantFrom('xoxb', 'xoxp', 'xoxa', 'xoxe'), alnum(10, 40)).map(([p, s]) => `${p}-${s}`), /xox[a-z]?-[A-Za-z0-9]{4}/],
  ['AWS access key ids', fc.tuple(fc.constantFrom('AKIA', 'ASIA'), upperAlnum(16)).map(([p, s]) => p + s), /(?:AKIA|ASIA)[A-Z0-9]{8}/],
  ['instance ids', hex(17, 17).map((h) => `i-${h}`), /i-[0-9a-f]{8}/],
  ['IPv4 addresses', fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.')), /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/],
  ['UUIDs', fc.uuid(), /[0-9a-f]{8}-[0-9a-f]{4}-/i],
  ['container ids and digests', hex(12, 64).filter((h) => /[0-9]/.test(h)), /[0-9a-f]{12}/],
  ['hostnames', fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld).map(([labels, top]) => [...labels, top].join('.')), /[a-z0-9]\.(?:com|internal|net|io|local)\b/],
  ['e-mail addresses', fc.tuple(alnum(1, 12), label, tld).map(([user, domain, top]) => `${user}@${domain}.${top}`), /@/],
  ['long numbers', fc.bigInt({ min: 100000n, max: 10n ** 18n }).map(String), /\d{6}/],
];

/** Text around the secret that is itself not secret-looking (words, punctuation, quotes). */
const surrounding = fc.string({ unit: fc.constantFrom(...'abcdefgh xyz:=/"\'(),'), maxLength: 20 });

describe('redact', () => {
  test.each(secrets)('no %s survive redaction, whatever surrounds them', (_name, secret, survivor) => {
    fc.assert(
      fc.property(surrounding, secret, surrounding, (before, value, after) => {
        // Act
        const redacted = redact(`${before} ${value} ${after}`);

        // Assess
        expect(redacted).not.toContain(value);
        expect(survivor.test(redacted)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  test('keeps the words of the error and names what it removed', () => {
    // Act
    const redacted = redact('failed to dial 10.0.3.7:443 on ip-10-0-3-7.ec2.internal for i-0123456789abcdef0 as ops@example.com with xoxb-123-abc');

    // Assess
    expect(redacted).toBe('failed to dial <ip> on <host> for <aws-id> as <email> with <slack-token>');
  });

  test.each([
    ['letters', 'a'.repeat(40_000)],
    ['dotted labels', 'a-'.repeat(10_000) + '.'.repeat(10_000)],
    ['hex and digits', '0a'.repeat(20_000)],
    ['colons', '1:'.repeat(20_000)],
    ['at signs', 'a@'.repeat(20_000)],
  ])('stays linear on 40,000 characters of hostile %s', (_name, hostile) => {
    // Act
    const started = performance.now();
    firstErrorLine(hostile);
    redact(hostile);

    // Assess: a paste is at most 40,000 characters (Slack's message limit). This is not a speed target (bench does
    // speed): super-linear backtracking on 40,000 characters takes minutes, linear work milliseconds, so a bound of
    // seconds tells the two apart on a loaded 2-core CI machine without flaking.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('a secret after a label is removed, the label stays', () => {
    expect(redact('password=hunter2 token: abc.def')).toBe('password=<secret> token: <secret>');
  });
});

describe('firstErrorLine', () => {
  test('skips prompts and commands and returns the line that reads like an error, redacted', () => {
    // Prepare
    const paste = '```\n$ sudo ctr run --rm docker.io/library/alpine:3 t1\nctr: failed to start shim: unsupported shim version (3): not implemented on node7.prod.example.com\n```';

    // Act
    const line = firstErrorLine(paste);

    // Assess
    expect(line).toBe('ctr: failed to start shim: unsupported shim version (3): not implemented on <host>');
  });

  test('falls back to the first line, and to nothing for a blank paste', () => {
    expect(firstErrorLine('\n  hello there\nsecond')).toBe('hello there');
    expect(firstErrorLine(' \n\n')).toBeUndefined();
  });

  test('is never longer than 200 characters', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (paste) => (firstErrorLine(paste) ?? '').length <= 200));
  });
});

describe('groupKey and groupGaps', () => {
  test('the same error at another time, with other ids, falls in the same group', () => {
    // Prepare
    const a = 'time="2026-01-02T03:04:05Z" level=error msg="failed to create shim task: OCI runtime create failed" id=3f2a9c1b7d4e5f60';
    const b = 'time="2026-02-11T23:59:00.123Z" level=error msg="failed to create shim task: OCI runtime create failed" id=99aa00bb11cc22dd';

    // Act
    const keys = [groupKey(firstErrorLine(a) ?? ''), groupKey(firstErrorLine(b) ?? '')];

    // Assess
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toContain('failed to create shim task');
  });

  test('different errors stay apart; groups are counted and ordered by count, then by last seen', () => {
    // Prepare
    const gaps = [
      gapFromPaste('Error: cannot connect to the Docker daemon at unix:///var/run/docker.sock', 'abstained', 1_000),
      gapFromPaste('Error: cannot connect to the Docker daemon at unix:///var/run/docker.sock', 'downvoted', 3_000, 'docker-socket'),
      gapFromPaste('ctr: failed to pull image: 403 Forbidden', 'abstained', 2_000),
    ].filter((gap) => gap !== undefined);

    // Act
    const groups = groupGaps(gaps);

    // Assess
    expect(groups.map(({ count, abstained, downvoted, lastSeen }) => ({ count, abstained, downvoted, lastSeen }))).toEqual([
      { count: 2, abstained: 1, downvoted: 1, lastSeen: 3_000 },
      { count: 1, abstained: 1, downvoted: 0, lastSeen: 2_000 },
    ]);
  });
});
