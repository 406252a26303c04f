import fs from 'node:fs';
import path from 'node:path';

import { RESULT_LINE_PREFIX, describeResult } from '../../../lambda/core/remediation/result-line';
import { CHECK_SCRIPT, CHECK_SOURCE, FakeContainerHost, RESTART_SCRIPT, SCRIPTS_DIR, type FakeHostOptions } from './fake-container-host';

/**
 * The scripts of our SSM documents, run with bash against stub systemctl/containerd/ctr/docker on a controlled PATH.
 * Every run is read back through the production parser, so these tests also hold the result-line contract.
 */

const hosts: FakeContainerHost[] = [];

function host(options: FakeHostOptions): FakeContainerHost {
  const created = new FakeContainerHost(options);
  hosts.push(created);
  return created;
}

afterEach(() => {
  for (const created of hosts.splice(0)) created.dispose();
});

const STALE_DAEMON: FakeHostOptions = { installed: '2.0.0', running: '1.7.23' };

describe('check-container-runtime.sh', () => {
  it('reports needs-restart when a 1.7 daemon still runs after 2.0 was installed', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active' });

    // Act
    const run = stale.run(CHECK_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.lastLine.startsWith(RESULT_LINE_PREFIX)).toBe(true);
    expect(run.result).toMatchObject({
      schema: 1,
      action: 'check',
      status: 'needs-restart',
      message: 'running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade',
      containerd: {
        installed: '2.0.0',
        installedPath: `${stale.bin}/containerd`,
        running: '1.7.23',
        binaries: [`${stale.bin}/containerd`],
        shims: [`${stale.bin}/containerd-shim-runc-v2`],
        shimVersion: '2.0.0',
        shimProtocolMismatch: true,
        socket: true,
      },
      docker: { active: true, liveRestore: false },
      nested: false,
    });
    expect(run.result && describeResult(run.result)).toBe(
      'running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade',
    );
  });

  it('changes nothing: no restart, no stop, no start', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active' });

    // Act
    stale.run(CHECK_SCRIPT);

    // Assess
    expect(stale.calls().filter((call) => /\b(restart|stop|start|kill)\b/.test(call))).toEqual([]);
    expect(stale.runningVersion()).toBe('1.7.23');
  });

  it('reports ok when the running daemon is the installed one', () => {
    // Prepare
    const healthy = host({ installed: '2.0.0' });

    // Act
    const run = healthy.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({
      status: 'ok',
      message: 'containerd 2.0.0 is running and matches the installed version',
      containerd: { installed: '2.0.0', running: '2.0.0', shimProtocolMismatch: false },
    });
  });

  it('asks the running process for its version when ctr cannot answer', () => {
    // Prepare
    const withoutCtr = host({ ...STALE_DAEMON, ctr: false });

    // Act
    const run = withoutCtr.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ status: 'needs-restart', containerd: { running: '1.7.23', socket: true } });
  });

  it('reports not-running when the socket is gone and no daemon runs', () => {
    // Prepare
    const stopped = host({ installed: '2.0.0', running: null });

    // Act
    const run = stopped.run(CHECK_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.result).toMatchObject({
      status: 'not-running',
      containerd: { installed: '2.0.0', running: null, socket: false, shimProtocolMismatch: null },
    });
  });

  it('reports not-installed when no containerd is on PATH', () => {
    // Prepare
    const bare = host({ running: null });

    // Act
    const run = bare.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({
      status: 'not-installed',
      message: 'containerd is not installed: no containerd binary on PATH',
      containerd: { installed: null, installedPath: null, running: null, binaries: [], shims: [] },
      docker: { active: false, liveRestore: null },
    });
  });

  it('reports duplicate binaries in two directories, in PATH order', () => {
    // Prepare
    const twoCopies = host({ installed: '2.0.0', staleBinaryVersion: '1.7.23' });

    // Act
    const run = twoCopies.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({
      status: 'duplicate-binaries',
      containerd: {
        // The unit starts the 2.0.0 binary, even though an older copy comes first on PATH.
        installed: '2.0.0',
        installedPath: `${twoCopies.bin}/containerd`,
        running: '2.0.0',
        binaries: [`${twoCopies.staleBin}/containerd`, `${twoCopies.bin}/containerd`],
        shims: [`${twoCopies.staleBin}/containerd-shim-runc-v2`, `${twoCopies.bin}/containerd-shim-runc-v2`],
      },
    });
    expect(run.result?.message).toContain(`2 containerd binaries on PATH (${twoCopies.staleBin}/containerd, ${twoCopies.bin}/containerd)`);
  });

  it('reports shim-mismatch when a 2.x shim sits next to a 1.x daemon that matches its package', () => {
    // Prepare
    const mixed = host({ installed: '1.7.23', shimVersion: '2.0.0' });

    // Act
    const run = mixed.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({
      status: 'shim-mismatch',
      containerd: { installed: '1.7.23', running: '1.7.23', shimVersion: '2.0.0', shimProtocolMismatch: true },
    });
    expect(run.result?.message).toContain('a restart does not fix this');
  });

  it('does not count one file reached through a directory alias (merged /usr) as a duplicate', () => {
    // Prepare
    const merged = host({ installed: '2.0.0', aliasDirectory: true });

    // Act
    const run = merged.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ status: 'ok', containerd: { binaries: [`${merged.bin}/containerd`] } });
  });

  it('reads live-restore from the running Docker', () => {
    // Prepare
    const liveRestore = host({ installed: '2.0.0', docker: 'active', liveRestore: true });

    // Act
    const run = liveRestore.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.docker).toEqual({ active: true, liveRestore: true });
    expect(liveRestore.calls()).toContain('docker info --format {{.LiveRestoreEnabled}}');
  });

  it('reads live-restore from daemon.json when Docker is not running', () => {
    // Prepare
    const stoppedDocker = host({ installed: '2.0.0', docker: 'inactive', daemonJson: '{\n  "live-restore" : true,\n  "log-driver": "json-file"\n}\n' });

    // Act
    const run = stoppedDocker.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.docker).toEqual({ active: false, liveRestore: true });
  });

  it('reports live-restore off when daemon.json does not set it (Docker default)', () => {
    // Prepare
    const defaults = host({ installed: '2.0.0', docker: 'inactive', daemonJson: '{"log-driver": "json-file"}' });

    // Act
    const run = defaults.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.docker).toEqual({ active: false, liveRestore: false });
  });

  it('reports nested-container hints', () => {
    // Prepare
    const nested = host({ installed: '2.0.0', dockerenv: true, virt: 'docker' });

    // Act
    const run = nested.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({
      nested: true,
      nestedHints: ['/.dockerenv exists', 'systemd-detect-virt --container: docker'],
    });
  });

  it('escapes quotes, backslashes and tabs of paths in the JSON', () => {
    // Prepare
    const oddName = 'bin "quoted" \\ and\ttab';
    const odd = host({ installed: '2.0.0', binDirName: oddName });

    // Act
    const run = odd.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.containerd.binaries).toEqual([`${odd.bin}/containerd`]);
    expect(run.lastLine).toContain('\\"quoted\\" \\\\ and\\u0009tab');
    expect(run.result?.containerd.installedPath).toBe(`${odd.bin}/containerd`);
  });

  it('still ends with a failed result line when something unexpected stops it', () => {
    // Prepare
    const broken = host({ installed: '2.0.0' });
    // bash reads BASH_ENV before the script: disabling a builtin the script relies on makes it fail midway.
    const bashEnv = `${broken.base}/disable-mapfile.sh`;
    fs.writeFileSync(bashEnv, 'enable -n mapfile\n');

    // Act
    const run = broken.run(CHECK_SCRIPT, { env: { BASH_ENV: bashEnv } });

    // Assess
    expect(run.status).toBe(127);
    expect(run.lastLine.startsWith(RESULT_LINE_PREFIX)).toBe(true);
    expect(run.result?.status).toBe('failed');
    expect(run.result?.message).toMatch(/^the check script stopped unexpectedly \(exit 127\) at line \d+: mapfile -t /);
    expect(run.stderr).toContain('stopped unexpectedly');
  });

  it('refuses arguments: the document takes no free-form input', () => {
    // Prepare
    const healthy = host({ installed: '2.0.0' });

    // Act
    const run = healthy.run(CHECK_SCRIPT, { args: ['--socket', '/tmp/x; reboot'] });

    // Assess
    expect(run.status).toBe(2);
    expect(run.result).toMatchObject({ status: 'failed', message: 'the check script takes no arguments' });
    expect(healthy.calls()).toEqual([]);
  });
});

describe('restart-container-runtime.sh', () => {
  it('restarts a stale daemon and verifies that the installed version now runs', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'inactive' });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.lastLine.startsWith(RESULT_LINE_PREFIX)).toBe(true);
    expect(run.result).toMatchObject({
      schema: 1,
      action: 'restart',
      status: 'restarted',
      containerd: { installed: '2.0.0', running: '2.0.0', runningBefore: '1.7.23', socket: true, shimProtocolMismatch: false },
      docker: { active: false, restarted: false },
    });
    expect(run.result?.containerd.running).toBe(run.result?.containerd.installed);
    expect(stale.runningVersion()).toBe('2.0.0');
  });

  it('leaves an inactive Docker alone', () => {
    // Prepare
    const noDocker = host({ ...STALE_DAEMON, docker: 'inactive' });

    // Act
    const run = noDocker.run(RESTART_SCRIPT);

    // Assess
    expect(noDocker.calls().filter((call) => call.includes('restart'))).toEqual(['systemctl restart containerd']);
    expect(run.result && describeResult(run.result)).toBe(
      'containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker was not active, so it was left alone',
    );
  });

  it('restarts an active Docker after containerd', () => {
    // Prepare
    const withDocker = host({ ...STALE_DAEMON, docker: 'active' });

    // Act
    const run = withDocker.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(withDocker.calls().filter((call) => call.includes('restart'))).toEqual([
      'systemctl restart containerd',
      'systemctl restart docker',
    ]);
    expect(run.result).toMatchObject({ status: 'restarted', docker: { active: true, restarted: true, liveRestore: false } });
    expect(run.stdout).toContain('live-restore is off');
  });

  it('fails with a clear message when the containerd unit does not start, and does not touch Docker', () => {
    // Prepare
    const broken = host({ ...STALE_DAEMON, docker: 'active', restart: 'unit-fails' });

    // Act
    const run = broken.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.lastLine.startsWith(RESULT_LINE_PREFIX)).toBe(true);
    expect(run.result).toMatchObject({
      status: 'failed',
      containerd: { running: null, runningBefore: '1.7.23', socket: false },
      docker: { active: true, restarted: false },
    });
    expect(run.result?.message).toContain('containerd did not come back within 1s after the restart');
    expect(run.result?.message).toContain('Job for containerd.service failed');
    expect(run.stderr).toContain('containerd did not come back');
    expect(broken.calls()).not.toContain('systemctl restart docker');
  });

  it('gives up after the wait bound when the socket never answers', () => {
    // Prepare
    const silent = host({ ...STALE_DAEMON, restart: 'never-answers' });

    // Act
    const run = silent.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.result).toMatchObject({ status: 'failed', containerd: { running: null, socket: false } });
    expect(run.result?.message).toMatch(/^containerd did not come back within 1s after the restart \(unit failed, socket absent\); Docker was not touched/);
  });

  it('does not trust a socket file alone: the daemon must answer ctr version', () => {
    // Prepare
    const deadSocket = host({ ...STALE_DAEMON, restart: 'socket-without-daemon' });

    // Act
    const run = deadSocket.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.result).toMatchObject({ status: 'failed', containerd: { running: null, socket: true } });
    expect(run.result?.message).toContain('socket present');
    expect(run.stdout).toContain('ctr version did not answer: failed to dial');
  });

  it('fails when the restarted daemon is still not the installed version, naming the duplicates', () => {
    // Prepare
    const wrongBinary = host({ ...STALE_DAEMON, staleBinaryVersion: '1.7.23', restart: 'starts-stale-binary' });

    // Act
    const run = wrongBinary.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.result).toMatchObject({
      status: 'failed',
      containerd: {
        installed: '2.0.0',
        running: '1.7.23',
        binaries: [`${wrongBinary.staleBin}/containerd`, `${wrongBinary.bin}/containerd`],
      },
    });
    expect(run.result?.message).toContain('containerd restarted but runs 1.7.23 while 2.0.0 is installed');
    expect(run.result?.message).toContain('2 containerd binaries on PATH');
  });

  it('lists duplicate binaries after a successful restart', () => {
    // Prepare
    const twoCopies = host({ ...STALE_DAEMON, staleBinaryVersion: '1.7.23' });

    // Act
    const run = twoCopies.run(RESTART_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({
      status: 'restarted',
      containerd: { binaries: [`${twoCopies.staleBin}/containerd`, `${twoCopies.bin}/containerd`] },
    });
    expect(run.result?.message).toContain('note: 2 containerd binaries on PATH');
  });

  it('fails when Docker does not come back after its restart', () => {
    // Prepare
    const brokenDocker = host({ ...STALE_DAEMON, docker: 'active', dockerComesBack: false });

    // Act
    const run = brokenDocker.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.result).toMatchObject({ status: 'failed', containerd: { running: '2.0.0' }, docker: { restarted: true } });
    expect(run.result?.message).toContain('Docker did not come back');
  });

  it('is idempotent: a second run restarts again and verifies the same end state', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active' });
    stale.run(RESTART_SCRIPT);

    // Act
    const again = stale.run(RESTART_SCRIPT);

    // Assess
    expect(again.status).toBe(0);
    expect(again.result).toMatchObject({
      status: 'restarted',
      containerd: { running: '2.0.0', runningBefore: '2.0.0' },
      docker: { restarted: true },
    });
  });

  it('falls back to the default bound when the wait setting is malformed', () => {
    // Prepare
    const stale = host(STALE_DAEMON);

    // Act
    const run = stale.run(RESTART_SCRIPT, { env: { SHIM_FIX_SOCKET_WAIT_SECONDS: '$(reboot)' } });

    // Assess
    expect(run.result?.status).toBe('restarted');
    expect(run.stdout).toContain('ignoring SHIM_FIX_SOCKET_WAIT_SECONDS=$(reboot)');
  });
});

describe('how the SSM agent runs the scripts', () => {
  it.each([
    ['check', CHECK_SCRIPT, 'needs-restart'],
    ['restart', RESTART_SCRIPT, 'restarted'],
  ])('%s works when its lines are written to a file and started with sh -c <file>', (_name, script, status) => {
    // Prepare
    const stale = host(STALE_DAEMON);

    // Act
    const run = stale.runEmbedded(script);

    // Assess
    expect(run.result?.status).toBe(status);
  });

  it('switches to bash when sh interprets the file itself', () => {
    // Prepare
    const stale = host(STALE_DAEMON);

    // Act
    const run = stale.runEmbedded(CHECK_SCRIPT, true);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.result?.status).toBe('needs-restart');
  });

  it('contains no double braces, which SSM documents would read as parameter references', () => {
    // Prepare
    const scripts = [CHECK_SCRIPT, RESTART_SCRIPT].map((script) => fs.readFileSync(script, 'utf8'));

    // Act
    const withBraces = scripts.filter((text) => text.includes('{{'));

    // Assess
    expect(withBraces).toEqual([]);
  });

  it('inlines the shared library into both documents, leaving no include stanza behind', () => {
    // Prepare
    const library = fs.readFileSync(path.join(SCRIPTS_DIR, 'lib', 'runtime-probes.sh'), 'utf8');
    const probe = 'emit_result()';

    // Act
    const documents = [CHECK_SCRIPT, RESTART_SCRIPT].map((script) => fs.readFileSync(script, 'utf8'));

    // Assess
    expect(library).toContain(probe);
    for (const document of documents) {
      expect(document).toContain(probe);
      expect(document).not.toMatch(/shim-fix:include|^source /m);
    }
  });

  it('runs the same from the repository, where the scripts source the library instead', () => {
    // Prepare: the check is read-only, so one host serves both runs
    const stale = host(STALE_DAEMON);
    const viaDocument = stale.run(CHECK_SCRIPT);

    // Act
    const viaRepository = stale.run(CHECK_SOURCE);

    // Assess
    expect(viaRepository.stderr).toBe(viaDocument.stderr);
    expect({ ...viaRepository.result, durationSeconds: 0 }).toEqual({ ...viaDocument.result, durationSeconds: 0 });
  });
});
