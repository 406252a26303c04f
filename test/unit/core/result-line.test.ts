import fc from 'fast-check';

import {
  REFUSALS,
  RESULT_LINE_PREFIX,
  SCRIPT_STATUSES,
  VERDICTS,
  compareVersions,
  describeResult,
  isHealthy,
  isRestartTheFix,
  parseResultLine,
  type ContainerdFacts,
  type ScriptResult,
} from '../../../lambda/core/remediation/result-line';
import { STALE_DAEMON_CHECK } from '../remediation/fixtures';

/** The stale-daemon facts every remediation test shares, with a CRI plugin that loaded. */
function containerd(overrides: Partial<ContainerdFacts> = {}): ContainerdFacts {
  return { ...STALE_DAEMON_CHECK.containerd, criLoaded: true, ...overrides };
}

function checkResult(overrides: Partial<ScriptResult> = {}): ScriptResult {
  return {
    schema: 2,
    action: 'check',
    verdict: 'stale-daemon',
    status: 'checked',
    refusal: null,
    message: 'running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade',
    containerd: containerd(),
    docker: {
      installed: true,
      active: true,
      liveRestore: false,
      runningContainers: 3,
      binaryReplaced: false,
      bindsToContainerd: false,
      requiresContainerd: false,
      restarted: false,
      recovered: null,
    },
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
    message: 'containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker was left running',
    containerd: containerd({ running: '2.0.0', runningBefore: '1.7.23', shimProtocolMismatch: false, binaryReplaced: false }),
    docker: { ...base.docker, recovered: true },
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
    expect(result?.docker.recovered).toBe(true);
  });

  it('parses a refusal with its reason', () => {
    // Prepare
    const refused = restartResult({ status: 'refused', verdict: 'downgrade', refusal: 'downgrade' });

    // Act
    const result = parseResultLine(line(refused));

    // Assess
    expect(result?.refusal).toBe('downgrade');
  });

  it('tolerates CRLF line ends, indentation and stderr that SSM appends after stdout', () => {
    // Prepare
    const stdout = `log line\r\n  ${line(checkResult())}\r\n\n----------ERROR-------\nWARNING: something on stderr\n`;

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.verdict).toBe('stale-daemon');
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

  const schemaOne = {
    schema: 1,
    action: 'check',
    status: 'needs-restart',
    message: 'm',
    containerd: { installed: '2.0.0', installedPath: null, running: '1.7.23', binaries: [], shims: [], shimVersion: null, shimProtocolMismatch: null, socket: true },
    docker: { active: true, liveRestore: false },
    nested: false,
    nestedHints: [],
    durationSeconds: 1,
  };

  it.each([
    ['not JSON', `${RESULT_LINE_PREFIX}running 1.7.23`],
    ['an empty object', `${RESULT_LINE_PREFIX}{}`],
    ['a schema 1 line from a document deployed before the bump', line(schemaOne)],
    ['a future schema', line({ ...checkResult(), schema: 3 })],
    ['an unknown status', line({ ...checkResult(), status: 'rebooted' })],
    ['an unknown verdict', line({ ...checkResult(), verdict: 'needs-restart' })],
    ['stale-daemon as a refusal reason (it is the one verdict a restart acts on)', line({ ...checkResult(), status: 'refused', refusal: 'stale-daemon' })],
    ['a missing message', line({ ...checkResult(), message: undefined })],
    ['a missing verdict', line({ ...checkResult(), verdict: undefined })],
    ['a version of the wrong type', line({ ...checkResult(), containerd: { ...containerd(), running: 1.7 } })],
    ['binaries as bare paths (schema 1 shape)', line({ ...checkResult(), containerd: { ...containerd(), binaries: ['/usr/bin/containerd'] } })],
    ['an unknown manager', line({ ...checkResult(), containerd: { ...containerd(), manager: 'nomad' } })],
    ['a negative container count', line({ ...checkResult(), docker: { ...checkResult().docker, runningContainers: -1 } })],
    ['a negative duration', line({ ...checkResult(), durationSeconds: -1 })],
    ['an oversized message', line({ ...checkResult(), message: 'x'.repeat(5000) })],
    ['an oversized config error', line({ ...checkResult(), containerd: { ...containerd(), configError: 'x'.repeat(301) } })],
    ['seventeen binaries', line({ ...checkResult(), containerd: { ...containerd(), binaries: Array.from({ length: 17 }, (_, i) => ({ path: `/b${i}`, version: null })) } })],
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
    const stdout = [line(checkResult()), 'later output', line(checkResult({ verdict: 'healthy', message: 'fine' }))].join('\n');

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.verdict).toBe('healthy');
  });

  it('does not fall back to an older line when the last one is damaged', () => {
    // Prepare
    const stdout = [line(checkResult({ verdict: 'healthy', message: 'fine' })), `${RESULT_LINE_PREFIX}{"schema":2,"act`].join('\n');

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result).toBeUndefined();
  });

  it('ignores fields it does not know, so the scripts can add some within schema 2', () => {
    // Prepare
    const stdout = line({ ...checkResult(), hostname: 'ip-10-0-0-1', containerd: { ...containerd(), extra: 1 } });

    // Act
    const result = parseResultLine(stdout);

    // Assess
    expect(result?.verdict).toBe('stale-daemon');
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
      verdict: fc.constantFrom(...VERDICTS),
      refusal: fc.option(fc.constantFrom(...REFUSALS), { nil: null }),
      message: fc.string({ minLength: 1, maxLength: 200 }),
      running: fc.option(fc.constantFrom('1.7.23', '2.0.0', '2.1.4'), { nil: null }),
      binaries: fc.array(fc.record({ path: fc.string({ minLength: 1, maxLength: 100 }), version: fc.option(fc.constantFrom('1.6.20', '2.0.0'), { nil: null }) }), { maxLength: 4 }),
    });

    // Act
    const property = fc.property(logLines, logLines, results, (before, after, generated) => {
      const expected: ScriptResult = {
        ...checkResult(),
        status: generated.status,
        verdict: generated.verdict,
        refusal: generated.refusal,
        message: generated.message,
        containerd: containerd({ running: generated.running, binaries: generated.binaries }),
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

  it('explains a replaced binary with equal version strings (a rebuilt package)', () => {
    // Prepare
    const result = checkResult({ containerd: containerd({ running: '2.0.0' }) });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe(
      "containerd 2.0.0 is installed, but the running daemon's binary was replaced on disk since it started: it was not restarted after the upgrade",
    );
  });

  it.each<[string, Partial<ScriptResult>, string]>([
    ['healthy', { verdict: 'healthy', containerd: containerd({ running: '2.0.0' }) }, 'containerd 2.0.0 is running and matches the installed version'],
    [
      'downgrade',
      { verdict: 'downgrade', containerd: containerd({ installed: '1.7.23', running: '2.0.0' }) },
      'running 2.0.0, installed 1.7.23: the installed containerd is older, and a restart into it cannot talk to the running shims',
    ],
    [
      'duplicate-binaries',
      {
        verdict: 'duplicate-binaries',
        containerd: containerd({
          running: '2.0.0',
          binaries: [
            { path: '/usr/local/bin/containerd', version: '1.7.23' },
            { path: '/usr/bin/containerd', version: '2.0.0' },
          ],
        }),
      },
      'containerd 2.0.0 is running, but there are 2 containerd binaries on PATH (/usr/local/bin/containerd 1.7.23, /usr/bin/containerd 2.0.0): the daemon may start a different one than the package installed',
    ],
    [
      'shim-newer-than-daemon',
      { verdict: 'shim-newer-than-daemon', containerd: containerd({ installed: '1.7.23', running: '1.7.23', shimVersion: '2.0.0' }) },
      'containerd 1.7.23 is installed, but the shim on PATH is 2.0.0: 2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this',
    ],
    [
      'config-rejected',
      { verdict: 'config-rejected', containerd: containerd({ configAccepted: false, configError: 'invalid plugin key URI "cri"' }) },
      'the installed containerd rejects its config /etc/containerd/config.toml (invalid plugin key URI "cri"): a restart would leave the host without a container runtime',
    ],
    [
      'managed-elsewhere',
      { verdict: 'managed-elsewhere', containerd: containerd({ manager: 'k3s', managerUnit: 'k3s.service' }) },
      'containerd is run by k3s: restart k3s.service instead',
    ],
    [
      'unsafe-kill-mode',
      { verdict: 'unsafe-kill-mode', containerd: containerd({ killMode: 'control-group' }) },
      'the containerd.service unit has KillMode=control-group: a restart would kill every shim and its containers',
    ],
    ['not-installed', { verdict: 'not-installed', containerd: containerd({ installed: null, running: null }) }, 'containerd is not installed: no containerd unit or binary found'],
    ['not-running', { verdict: 'not-running', containerd: containerd({ running: null }) }, 'containerd 2.0.0 is installed but not running: its socket does not answer'],
    ['no-systemd', { verdict: 'no-systemd', message: 'systemctl does not work here: System has not been booted with systemd' }, 'systemctl does not work here: System has not been booted with systemd'],
    ['failed', { status: 'failed', message: 'containerd did not come back within 60s after the restart' }, 'containerd did not come back within 60s after the restart'],
  ])('summarises %s', (_case, overrides, expected) => {
    // Prepare
    const result = checkResult(overrides);

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe(expected);
  });

  it('summarises a restart that left Docker running', () => {
    // Prepare
    const result = restartResult();

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker was left running');
  });

  it('summarises a restart that restarted Docker', () => {
    // Prepare
    const result = restartResult({ docker: { ...restartResult().docker, restarted: true } });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker restarted');
  });

  it('says a refused restart touched nothing, and why', () => {
    // Prepare
    const result = restartResult({ status: 'refused', verdict: 'healthy', refusal: 'healthy', containerd: containerd({ running: '2.0.0' }) });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('restart refused, nothing was touched: containerd 2.0.0 is running and matches the installed version');
  });

  it('says how many containers a Docker restart would stop', () => {
    // Prepare
    const result = restartResult({ status: 'refused', refusal: 'docker-would-stop-containers' });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe(
      'restart refused, nothing was touched: restarting Docker without live-restore would stop 3 containers; only an explicit choice to stop them allows it',
    );
  });

  it('adds the nested-container hints to a check', () => {
    // Prepare
    const result = checkResult({ verdict: 'healthy', nested: true, nestedHints: ['/.dockerenv exists'], containerd: containerd({ running: '2.0.0' }) });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('containerd 2.0.0 is running and matches the installed version; this looks like a nested container (/.dockerenv exists)');
  });

  it("falls back to the script's message when the versions are missing", () => {
    // Prepare
    const result = checkResult({ verdict: 'not-running', message: 'from the script', containerd: containerd({ installed: null, running: null }) });

    // Act
    const sentence = describeResult(result);

    // Assess
    expect(sentence).toBe('from the script');
  });
});

describe('isRestartTheFix', () => {
  it.each<[Partial<ScriptResult>, boolean]>([
    [{}, true],
    [{ verdict: 'healthy' }, false],
    [{ verdict: 'downgrade' }, false],
    [{ verdict: 'shim-newer-than-daemon' }, false],
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
    ['a clean check', checkResult({ verdict: 'healthy' }), true],
    ['a stale daemon', checkResult(), false],
    ['duplicate binaries', checkResult({ verdict: 'duplicate-binaries' }), false],
    ['a verified restart', restartResult(), true],
    ['a second restart refused on a fixed host', restartResult({ status: 'refused', verdict: 'healthy', refusal: 'healthy' }), true],
    ['a refused downgrade', restartResult({ status: 'refused', verdict: 'downgrade', refusal: 'downgrade' }), false],
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
    ['1.6.20~ds1', '1.6.20', 0],
    ['v2.0.0', '2.0.0', 0],
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
