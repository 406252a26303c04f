import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { CHECK_SCRIPT, CHECK_SOURCE, RESTART_SCRIPT, RESTART_SOURCE } from './fake-container-host';

/**
 * The scripts of our SSM documents run as root on customer hosts: every shellcheck finding is a failure.
 * shellcheck is a Debian package (.ci/run installs it). Locally it may be missing: then the test is skipped with a
 * warning, but in CI (CI set) a missing shellcheck fails, so the lint can never silently stop running.
 */

// The documents as built (library inlined) and the repository sources (library followed through `source`, -x).
const SCRIPTS = [
  ...[CHECK_SCRIPT, RESTART_SCRIPT].map((script) => [`document ${path.basename(script)}`, script] as const),
  ...[CHECK_SOURCE, RESTART_SOURCE].map((script) => [`source ${path.basename(script)}`, script] as const),
  // The real-host lab's scripts run as root too (test/lab).
  ...['lab-up.sh', 'lab-down.sh', 'systemctl-stand-in.sh'].map(
    (name) => [`lab ${name}`, path.join(__dirname, '..', '..', 'lab', name)] as const,
  ),
];

function shellcheckAvailable(): boolean {
  return spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
}

const available = shellcheckAvailable();
const inCi = Boolean(process.env.CI);

if (!available && !inCi) {
  console.warn('shellcheck is not installed, so the SSM scripts are not linted: apt-get install shellcheck');
}

describe('shellcheck on the SSM scripts', () => {
  (available || inCi ? it : it.skip)('is installed (CI must lint the scripts)', () => {
    // Prepare
    const installed = available;

    // Act
    const verdict = installed ? 'installed' : 'missing: apt-get install shellcheck';

    // Assess
    expect(verdict).toBe('installed');
  });

  (available ? it.each(SCRIPTS) : it.skip.each(SCRIPTS))('reports no finding in %s', (_name, script) => {
    // Prepare
    // --norc: a stray .shellcheckrc must not relax the rules; bash is also the shebang's shell.
    const args = ['--norc', '--shell=bash', '--severity=style', '--format=gcc', '--external-sources', script];

    // Act
    const run = spawnSync('shellcheck', args, { encoding: 'utf8' });

    // Assess
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
