import fc from 'fast-check';

import {
  RESULT_LINE_PREFIX,
  SCRIPT_STATUSES,
  compareVersions,
  describeResult,
  isHealthy,
  isRestartTheFix,
  parseResultLine,
  type ScriptResult,
} from '../../../lambda/core/remediation/result-line';

function checkResult(overrides: Partial<ScriptResult> = {}): ScriptResult {
  return {
    schema: 1,
    action: 'check',
    status: 'needs-restart',
    message: 'running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade',
    containerd: {
      installed: '2.0.0',
      installedPath: '/usr/bin/containerd',
      running: '1.7.23',
      binaries: ['/usr/bin/containerd'],
      shims: ['/usr/bin/containerd-shim-runc-v2'],
      shimVersion: '2.0.0',
      shimProtocolMismatch: true,
      socket: true,
    },
    docker: { active: true, liveRestore: false },
    nested: false,
    nestedHints: [],
    durationSeconds: 1,
    ...overrides,
  };
}

function restartResult(overrides: Partial<ScriptResult> = {}): ScriptResult {
  const base = checkResult();
  return {
    ...base,
    action: 'restart',
    status: 'restarted',
    message: 'containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker restarted',
    containerd: { ...base.containerd, running: '2.0.0', runningBefore: '1.7.23', shimProtocolMismatch: false },
    docker: { active: true, restarted: true, liveRestore: false },
    ...overrides,
  };
}

function line(result: unknown): string {
  return `${RESULT_LINE_PREFIX}${JSON.stringify(result)}`;
}

describe('parseResultLine', () => {
  it('finds the result line after the log lines of the script', () => {
    // Prepare
    const stdout = ['shim-fix check: read-only', 'containerd installed: 2.0.0', line(checkResult()), ''].join('\n');

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result).toEqual(checkResult());
  });

  it('parses a restart result with its restart-only fields', () => {
    // Prepare
    const stdout = `restarting containerd\n${line(restartResult())}\n`;

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.containerd.runningBefore).toBe('1.7.23');
    expect(result?.docker.restarted).toBe(true);
  });

  it('tolerates CRLF line ends, indentation and stderr that SSM appends after stdout', () => {
    // Prepare
    const stdout = `log line\r\n  ${line(checkResult())}\r\n\n----------ERROR-------\nWARNING: something on stderr\n`;

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.status).toBe('needs-restart');
  });

  it('returns undefined when SSM truncated the output inside the result line', () => {
    // Prepare
    const full = `log line\n${line(checkResult())}\n`;
    const truncated = `${full.slice(0, full.length - 40)}\n--output truncated--`;

    // Act
    const result = parseResultLine(truncated);

    // Assess
    expect(result).toBeUndefined();
  });

  it('returns undefined when there is no result line', () => {
    // Prepare
    const stdout = 'containerd restarted\nall good\n';

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result).toBeUndefined();
  });

  it.each([
    ['not JSON', `${RESULT_LINE_PREFIX}running 1.7.23`],
    ['an empty object', `${RESULT_LINE_PREFIX}{}`],
    ['a future schema', line({ ...checkResult(), schema: 2 })],
    ['an unknown status', line({ ...checkResult(), status: 'rebooted' })],
    ['a missing message', line({ ...checkResult(), message: undefined })],
    ['a version of the wrong type', line({ ...checkResult(), containerd: { ...checkResult().containerd, running: 1.7 } })],
    ['a negative duration', line({ ...checkResult(), durationSeconds: -1 })],
    ['an oversized message', line({ ...checkResult(), message: 'x'.repeat(5000) })],
    ['a JSON array', `${RESULT_LINE_PREFIX}[1,2,3]`],
    ['the prefix without a space', `SHIM_FIX_RESULT${JSON.stringify(checkResult())}`],
  ])('returns undefined for %s', (_case, stdout) => {
    // Prepare
    const output = `log line\n${stdout}\n`;

    // Act
    const result = parseResultLine(output);

    // Assess
    expect(result).toBeUndefined();
  });

  it('takes the last result line when there are several', () => {
    // Prepare
    const stdout = [line(checkResult()), 'later output', line(checkResult({ status: 'ok', message: 'fine' }))].join('\n');

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.status).toBe('ok');
  });

  it('does not fall back to an older line when the last one is damaged', () => {
    // Prepare
    const stdout = [line(checkResult({ status: 'ok', message: 'fine' })), `${RESULT_LINE_PREFIX}{"schema":1,"act`].join('\n');

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result).toBeUndefined();
  });

  it('ignores fields it does not know, so the scripts can add some within schema 1', () => {
    // Prepare
    const stdout = line({ ...checkResult(), hostname: 'ip-10-0-0-1', containerd: { ...checkResult().containerd, extra: 1 } });

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.status).toBe('needs-restart');
    expect(result).not.toHaveProperty('hostname');
  });

  it('never throws, whatever the output', () => {
    // Prepare
    const outputs = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string().map((tail) => `${RESULT_LINE_PREFIX}${tail}`),
      fc.json().map((json) => `noise\n${RESULT_LINE_PREFIX}${json}\n`),
    );

    // Act
    const property = fc.property(outputs, (stdout) => {
      const result = parseResultLine(stdout);
      return result === undefined || SCRIPT_STATUSES.includes(result.status);
    });

    // Assess
    expect(() => fc.assert(property, { numRuns: 500 })).not.toThrow();
  });

  it('finds a valid result line among any other output lines', () => {
    // Prepare
    const logLines = fc.array(
      fc.string().filter((text) => !text.includes('\n') && !text.trimStart().startsWith(RESULT_LINE_PREFIX)),
      { maxLength: 20 },
    );
    const results = fc.record({
      status: fc.constantFrom(...SCRIPT_STATUSES),
      message: fc.string({ minLength: 1, maxLength: 200 }),
      running: fc.option(fc.constantFrom('1.7.23', '2.0.0', '2.1.4'), { nil: null }),
      binaries: fc.array(fc.string({ minLength: 1, maxLength: 100 }), { maxLength: 4 }),
    });

    // Act
    const property = fc.property(logLines, logLines, results, (before, after, generated) => {
      const base = checkResult();
      const expected: ScriptResult = {
        ...base,
        status: generated.status,
        message: generated.message,
        containerd: { ...base.containerd, running: generated.running, binaries: generated.binaries },
      };
      const stdout = [...before, line(expected), ...after].join('\n');
      expect(parseResultLine(stdout)).toEqual(expected);
    });

    // Assess
    expect(() => fc.assert(property, { numRuns: 300 })).not.toThrow();
  });
});

describe('describeResult', () => {
  it('explains a stale daemon the way an SRE would', () => {
    // Prepare
    const result = checkResult();

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade');
  });

  it('says downgrade when the installed version is older than the running one', () => {
    // Prepare
    const result = checkResult({ containerd: { ...checkResult().containerd, installed: '1.7.23', running: '2.0.0' } });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('running 2.0.0, installed 1.7.23: the daemon was not restarted after the downgrade');
  });

  it.each<[string, Partial<ScriptResult>, string]>([
    [
      'ok',
      { status: 'ok', containerd: { ...checkResult().containerd, running: '2.0.0' } },
      'containerd 2.0.0 is running and matches the installed version',
    ],
    [
      'duplicate-binaries',
      {
        status: 'duplicate-binaries',
        containerd: {
          ...checkResult().containerd,
          running: '2.0.0',
          binaries: ['/usr/local/bin/containerd', '/usr/bin/containerd'],
        },
      },
      'containerd 2.0.0 is running, but there are 2 containerd binaries on PATH (/usr/local/bin/containerd, /usr/bin/containerd): the daemon may start a different one than the package installed',
    ],
    [
      'shim-mismatch',
      {
        status: 'shim-mismatch',
        containerd: { ...checkResult().containerd, installed: '1.7.23', running: '1.7.23', shimVersion: '2.0.0' },
      },
      'containerd 1.7.23 is running, but the shim on PATH is 2.0.0: 2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this',
    ],
    [
      'not-installed',
      { status: 'not-installed', containerd: { ...checkResult().containerd, installed: null, running: null } },
      'containerd is not installed: no containerd binary on PATH',
    ],
    [
      'not-running',
      { status: 'not-running', containerd: { ...checkResult().containerd, running: null } },
      'containerd 2.0.0 is installed but not running: its socket does not answer',
    ],
    [
      'failed',
      { status: 'failed', message: 'containerd did not come back within 60s after the restart' },
      'containerd did not come back within 60s after the restart',
    ],
  ])('summarises %s', (_status, overrides, expected) => {
    // Prepare
    const result = checkResult(overrides);

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe(expected);
  });

  it('summarises a restart, with Docker', () => {
    // Prepare
    const result = restartResult();

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker restarted');
  });

  it('warns after a restart when the shim still cannot be started by the daemon', () => {
    // Prepare
    const base = restartResult();
    const result = restartResult({
      docker: { active: false, restarted: false, liveRestore: null },
      containerd: { ...base.containerd, installed: '1.7.23', running: '1.7.23', runningBefore: '1.7.23', shimProtocolMismatch: true },
    });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe(
      'containerd restarted: running 1.7.23, matching the installed version; Docker was not active, so it was left alone; but the shim on PATH is 2.0.0 (protocol v3), which this daemon cannot start',
    );
  });

  it('adds the nested-container hints to a check', () => {
    // Prepare
    const result = checkResult({ status: 'ok', nested: true, nestedHints: ['/.dockerenv exists'], containerd: { ...checkResult().containerd, running: '2.0.0' } });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe(
      'containerd 2.0.0 is running and matches the installed version; this looks like a nested container (/.dockerenv exists)',
    );
  });

  it("falls back to the script's message when the versions are missing", () => {
    // Prepare
    const result = checkResult({ message: 'from the script', containerd: { ...checkResult().containerd, running: null } });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('from the script');
  });
});

describe('isRestartTheFix', () => {
  it.each<[Partial<ScriptResult>, boolean]>([
    [{}, true],
    [{ status: 'ok' }, false],
    [{ status: 'duplicate-binaries' }, false],
    [{ action: 'restart', status: 'failed' }, false],
  ])('%j → %s', (overrides, expected) => {
    // Prepare
    const result = checkResult(overrides);

    // Act
    const answer = isRestartTheFix(result);

    // Assess
    expect(answer).toBe(expected);
  });
});

describe('isHealthy', () => {
  it.each<[string, ScriptResult, boolean]>([
    ['a clean check', checkResult({ status: 'ok' }), true],
    ['a stale daemon', checkResult(), false],
    ['duplicate binaries', checkResult({ status: 'duplicate-binaries' }), false],
    ['a successful restart', restartResult(), true],
    ['a restart that leaves a v3 shim next to a 1.x daemon', restartResult({ containerd: { ...restartResult().containerd, shimProtocolMismatch: true } }), false],
    ['a failed restart', restartResult({ status: 'failed' }), false],
  ])('%s → %s', (_case, result, expected) => {
    // Prepare
    const input = result;

    // Act
    const healthy = isHealthy(input);

    // Assess
    expect(healthy).toBe(expected);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.7.23', '2.0.0', -1],
    ['2.0.0', '1.7.23', 1],
    ['1.7.12-0ubuntu4', '1.7.12', 0],
    ['1.10.0', '1.9.9', 1],
  ])('%s vs %s', (a, b, sign) => {
    // Prepare
    const versions = [a, b] as const;

    // Act
    const order = Math.sign(compareVersions(...versions));

    // Assess
    expect(order).toBe(sign);
  });
});
