import fs from 'node:fs';
import path from 'node:path';

import { RESULT_LINE_PREFIX } from '../../../lambda/core/remediation/result-line';
import { CHECK_SCRIPT, CHECK_SOURCE, FakeContainerHost, RESTART_SCRIPT, SCRIPTS_DIR, type FakeHostOptions } from './fake-container-host';

/**
 * The scripts of our SSM documents against stub systemctl/containerd/ctr/docker and a fake /proc, for what the
 * real-host lab (test/lab) cannot show: 1.7 and 2.x version strings, k3s/rke2/snap/dockerd/Bottlerocket layouts,
 * KillMode, unit relations, systemd failures. Every run is read back through the production parser.
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

/** The headline case: the 2.0 package replaced the binary under a running 1.7 daemon. */
const STALE_DAEMON: FakeHostOptions = { installed: '2.0.0', running: '1.7.23', shimVersion: '2.0.0' };

describe('check-container-runtime.sh', () => {
  it('says stale-daemon when a 1.7 daemon still runs after 2.0 was installed, with the evidence', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active', runningContainers: 3 });

    // Act
    const run = stale.run(CHECK_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.lastLine.startsWith(RESULT_LINE_PREFIX)).toBe(true);
    expect(run.result).toMatchObject({
      schema: 2,
      action: 'check',
      verdict: 'stale-daemon',
      status: 'checked',
      refusal: null,
      message: 'running 1.7.23, installed 2.0.0: the daemon was not restarted after the upgrade',
    });
    expect(run.result?.containerd).toMatchObject({
      installed: '2.0.0',
      installedPath: `${stale.bin}/containerd`,
      running: '1.7.23',
      mainPid: 4242,
      runningExe: `${stale.bin}/containerd (deleted)`,
      binaryReplaced: true,
      unit: 'containerd.service',
      killMode: 'process',
      configAccepted: true,
      manager: 'systemd',
      shimVersion: '2.0.0',
      shimProtocolMismatch: true,
      criLoaded: true,
      socket: true,
    });
    expect(run.result?.docker).toMatchObject({ installed: true, active: true, liveRestore: false, runningContainers: 3, binaryReplaced: false, restarted: false });
  });

  it('changes nothing and never executes the process named containerd that is not the unit\'s', () => {
    // Prepare
    const stale = host(STALE_DAEMON);

    // Act
    const run = stale.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.verdict).toBe('stale-daemon');
    expect(stale.changingCalls()).toEqual([]);
    expect(stale.plantedExecuted()).toBe(false);
    expect(run.stdout).not.toContain('9.9.9');
  });

  it.each<[string, FakeHostOptions, string, string]>([
    ['healthy', { installed: '2.0.0' }, 'healthy', 'containerd 2.0.0 is running and matches the installed version'],
    ['downgrade', { installed: '1.7.23', running: '2.0.0' }, 'downgrade', 'running 2.0.0, installed 1.7.23: the installed containerd is older'],
    [
      'a 2.x shim next to the 1.7 daemon its package installed',
      { installed: '1.7.23', running: '1.7.23', shimVersion: '2.0.0' },
      'shim-newer-than-daemon',
      '2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this',
    ],
    [
      'a stale 1.6 daemon whose restart would still meet a 2.x shim',
      { installed: '1.7.23', running: '1.6.20', shimVersion: '2.0.0' },
      'shim-newer-than-daemon',
      'the shim first on PATH',
    ],
    [
      'a config the installed binary rejects',
      { ...STALE_DAEMON, configRejected: 'invalid plugin key URI "cri" expect io.containerd.x.vx' },
      'config-rejected',
      'the installed containerd 2.0.0 rejects',
    ],
    ['KillMode=control-group', { ...STALE_DAEMON, killMode: 'control-group' }, 'unsafe-kill-mode', 'containerd.service has KillMode=control-group'],
    ['KillMode=mixed', { ...STALE_DAEMON, killMode: 'mixed' }, 'unsafe-kill-mode', 'KillMode=mixed'],
    ['no containerd unit', {}, 'not-installed', 'no containerd.service unit is loaded'],
    ['a stopped daemon', { installed: '2.0.0', running: null }, 'not-running', 'containerd 2.0.0 is installed but not running'],
    [
      'a MainPID in another mount namespace',
      { ...STALE_DAEMON, foreignMountNamespace: true },
      'unknown',
      "the containerd.service main process (pid 4242) is not in PID 1's mount namespace",
    ],
    [
      'no systemd (a container)',
      { ...STALE_DAEMON, noSystemd: true },
      'no-systemd',
      'systemctl does not work here (System has not been booted with systemd',
    ],
    ['duplicate binaries with different versions', { installed: '2.0.0', staleBinaryVersion: '1.7.23' }, 'duplicate-binaries', 'with different versions'],
  ])('%s → %s', (_case, options, verdict, message) => {
    // Prepare
    const scenario = host(options);

    // Act
    const run = scenario.run(CHECK_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.result?.verdict).toBe(verdict);
    expect(run.result?.message).toContain(message);
    expect(scenario.changingCalls()).toEqual([]);
  });

  it('calls an unchanged version with a replaced binary stale (a rebuilt package of the same version)', () => {
    // Prepare
    const rebuilt = host({ installed: '2.0.0', running: '2.0.0', binaryReplaced: true });

    // Act
    const run = rebuilt.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.verdict).toBe('stale-daemon');
    expect(run.result?.message).toContain('was replaced on disk since it started');
  });

  it.each<[FakeHostOptions['manager'], string, string | null]>([
    ['k3s', 'k3s', 'k3s.service'],
    ['rke2', 'rke2', 'rke2-server.service'],
    ['snap', 'snap', 'snap.microk8s.daemon-containerd.service'],
    ['dockerd', 'dockerd', 'docker.service'],
  ])('names the unit to restart when containerd is run by %s', (manager, expected, unit) => {
    // Prepare
    const managed = host({ installed: '1.7.23', manager });

    // Act
    const run = managed.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ verdict: 'managed-elsewhere' });
    expect(run.result?.containerd).toMatchObject({ manager: expected, managerUnit: unit });
  });

  it("explains Bottlerocket's control container instead of saying not installed", () => {
    // Prepare
    const bottlerocket = host({ manager: 'bottlerocket' });

    // Act
    const run = bottlerocket.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.verdict).toBe('unknown');
    expect(run.result?.message).toContain('apiclient exec admin sheltie');
  });

  it('reads versions from the 1.7 and 2.x formats of containerd --version, ctr version and shim -v', () => {
    // Prepare
    const mixed = host({ installed: '2.1.4', running: '1.7.23', shimVersion: '2.1.4' });

    // Act
    const run = mixed.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.containerd).toMatchObject({ installed: '2.1.4', running: '1.7.23', shimVersion: '2.1.4' });
    expect(run.result?.containerd.binaries).toEqual([{ path: `${mixed.bin}/containerd`, version: '2.1.4' }]);
  });

  it('does not count one file reached through a directory alias (merged /usr) as a duplicate', () => {
    // Prepare
    const merged = host({ installed: '2.0.0', aliasDirectory: true });

    // Act
    const run = merged.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.verdict).toBe('healthy');
    expect(run.result?.containerd.binaries).toHaveLength(1);
  });

  it('reports the CRI plugin as not loaded when ctr plugins ls lists it with an error', () => {
    // Prepare
    const broken = host({ installed: '2.0.0', cri: 'error' });

    // Act
    const run = broken.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.containerd.criLoaded).toBe(false);
  });

  it.each<[string, FakeHostOptions, boolean | null]>([
    ['the running Docker', { installed: '2.0.0', docker: 'active', liveRestore: true }, true],
    ['daemon.json when Docker is not running', { installed: '2.0.0', docker: 'inactive', daemonJson: '{ "live-restore": true }' }, true],
    ["Docker's default when daemon.json does not set it", { installed: '2.0.0', docker: 'inactive', daemonJson: '{}' }, false],
    ['nothing when Docker is not installed', { installed: '2.0.0' }, null],
  ])('reads live-restore from %s', (_case, options, expected) => {
    // Prepare
    const scenario = host(options);

    // Act
    const run = scenario.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.docker.liveRestore).toBe(expected);
  });

  it("reports docker.service's BindsTo/Requires on containerd and a replaced dockerd", () => {
    // Prepare
    const scenario = host({ installed: '2.0.0', docker: 'active', dockerBindsTo: true, dockerRequires: true, dockerdReplaced: true });

    // Act
    const run = scenario.run(CHECK_SCRIPT);

    // Assess
    expect(run.result?.docker).toMatchObject({ bindsToContainerd: true, requiresContainerd: true, binaryReplaced: true });
  });

  it('reports nested-container hints', () => {
    // Prepare
    const nested = host({ installed: '2.0.0', dockerenv: true });

    // Act
    const run = nested.run(CHECK_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ nested: true, nestedHints: ['/.dockerenv exists'] });
  });

  it('escapes quotes, backslashes and tabs of paths in the JSON', () => {
    // Prepare
    const odd = host({ installed: '2.0.0', binDirName: 'bin "quoted" \\ and\ttab' });

    // Act
    const run = odd.run(CHECK_SCRIPT);

    // Assess
    expect(run.lastLine).toContain('\\"quoted\\" \\\\ and\\u0009tab');
    expect(run.result?.containerd.installedPath).toBe(`${odd.bin}/containerd`);
  });

  it('still ends with a failed result line when something unexpected stops it', () => {
    // Prepare
    const broken = host(STALE_DAEMON);
    // bash reads BASH_ENV before the script: a read-only variable the restart assigns makes it stop midway.
    const bashEnv = `${broken.base}/readonly.sh`;
    fs.writeFileSync(bashEnv, 'declare -r RESTART_PROBLEM=x\n');

    // Act
    const run = broken.run(RESTART_SCRIPT, { env: { BASH_ENV: bashEnv } });

    // Assess
    expect(run.status).toBe(1);
    expect(run.lastLine.startsWith(RESULT_LINE_PREFIX)).toBe(true);
    expect(run.result?.status).toBe('failed');
    expect(run.result?.message).toMatch(/^the restart script stopped unexpectedly \(exit 1\) at line /);
    expect(run.stderr).toContain('stopped unexpectedly');
    expect(broken.changingCalls()).toEqual([]);
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
  it('restarts a stale daemon, verifies version, binary and CRI, and leaves Docker running', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active', runningContainers: 2 });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.result).toMatchObject({ action: 'restart', verdict: 'stale-daemon', status: 'restarted', refusal: null });
    expect(run.result?.containerd).toMatchObject({ running: '2.0.0', runningBefore: '1.7.23', mainPid: 4243, binaryReplaced: false, criLoaded: true });
    expect(run.result?.docker).toMatchObject({ restarted: false, recovered: true });
    expect(run.result?.message).toBe('containerd restarted: running 2.0.0 (was 1.7.23), matching the installed version; Docker was left running and answers');
    expect(stale.changingCalls()).toEqual(['systemctl restart containerd.service']);
  });

  it('runs daemon-reload first when the unit changed on disk', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, needsDaemonReload: true });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.result?.status).toBe('restarted');
    expect(stale.changingCalls()).toEqual(['systemctl daemon-reload', 'systemctl restart containerd.service']);
  });

  it('decides again after daemon-reload: a unit file that changed KillMode is refused before any process is touched', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, needsDaemonReload: true, killModeOnDisk: 'control-group' });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ status: 'refused', verdict: 'unsafe-kill-mode', refusal: 'unsafe-kill-mode' });
    expect(run.result?.message).toMatch(/^restart refused after systemctl daemon-reload, no process was touched: /);
    expect(stale.changingCalls()).toEqual(['systemctl daemon-reload']);
  });

  it.each<[string, FakeHostOptions, string]>([
    ['a healthy host', { installed: '2.0.0' }, 'healthy'],
    ['a downgrade', { installed: '1.7.23', running: '2.0.0' }, 'downgrade'],
    ['a newer shim beside an older daemon binary', { installed: '1.7.23', running: '1.7.23', shimVersion: '2.0.0' }, 'shim-newer-than-daemon'],
    ['a config the installed binary rejects', { ...STALE_DAEMON, configRejected: 'invalid plugin key URI "cri"' }, 'config-rejected'],
    ['containerd run by k3s', { installed: '1.7.23', manager: 'k3s' }, 'managed-elsewhere'],
    ['no working systemd', { ...STALE_DAEMON, noSystemd: true }, 'no-systemd'],
    ['KillMode=control-group', { ...STALE_DAEMON, killMode: 'control-group' }, 'unsafe-kill-mode'],
    ['a stopped daemon', { installed: '2.0.0', running: null }, 'not-running'],
  ])('refuses %s, touching nothing', (_case, options, verdict) => {
    // Prepare
    const scenario = host(options);

    // Act
    const run = scenario.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(0);
    expect(run.result).toMatchObject({ action: 'restart', verdict, status: 'refused', refusal: verdict });
    expect(run.result?.message).toMatch(/^restart refused, nothing was touched: /);
    expect(scenario.changingCalls()).toEqual([]);
  });

  it.each<[string, FakeHostOptions]>([
    ['dockerd itself is stale', { dockerdReplaced: true }],
    ['docker.service BindsTo containerd', { dockerBindsTo: true }],
    ['docker.service Requires containerd', { dockerRequires: true }],
  ])('refuses when %s and live-restore is off with containers running, unless allowed', (_case, docker) => {
    // Prepare
    const options: FakeHostOptions = { ...STALE_DAEMON, docker: 'active', liveRestore: false, runningContainers: 4, ...docker };
    const refused = host(options);
    const allowed = host(options);

    // Act
    const refusedRun = refused.run(RESTART_SCRIPT);
    const allowedRun = allowed.run(RESTART_SCRIPT, { env: { SHIM_FIX_ALLOW_STOPPING_CONTAINERS: 'yes' } });

    // Assess
    expect(refusedRun.result).toMatchObject({ verdict: 'stale-daemon', status: 'refused', refusal: 'docker-would-stop-containers' });
    expect(refusedRun.result?.message).toContain('stops 4 running containers');
    expect(refused.changingCalls()).toEqual([]);
    expect(allowedRun.result).toMatchObject({ status: 'restarted', docker: { restarted: true, recovered: true } });
    expect(allowedRun.result?.message).toContain('Docker restarted and answers; with live-restore off that stopped its 4 running containers (4 run now)');
  });

  it('restarts a stale dockerd without asking when live-restore keeps its containers', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active', liveRestore: true, runningContainers: 4, dockerdReplaced: true });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ status: 'restarted', docker: { restarted: true, recovered: true } });
    expect(run.result?.message).toContain('Docker restarted and answers (live-restore on: 4 containers ran before, 4 run now)');
    expect(stale.changingCalls()).toEqual(['systemctl restart containerd.service', 'systemctl restart docker.service']);
  });

  it('treats any value but yes as no', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active', runningContainers: 1, dockerdReplaced: true });

    // Act
    const run = stale.run(RESTART_SCRIPT, { env: { SHIM_FIX_ALLOW_STOPPING_CONTAINERS: 'YES' } });

    // Assess
    expect(run.result?.refusal).toBe('docker-would-stop-containers');
  });

  it('restarts Docker when it does not recover and that stops no container', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active', runningContainers: 0, dockerRecovers: false });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.result).toMatchObject({ status: 'restarted', docker: { restarted: true, recovered: true } });
  });

  it('does not restart a Docker that does not recover when that would stop containers, and says what to do', () => {
    // Prepare
    const stale = host({ ...STALE_DAEMON, docker: 'active', runningContainers: 2, dockerRecovers: false });

    // Act
    const run = stale.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.result).toMatchObject({ status: 'failed', docker: { restarted: false, recovered: false } });
    expect(run.result?.message).toContain('AllowStoppingContainers=yes');
    expect(stale.changingCalls()).toEqual(['systemctl restart containerd.service']);
  });

  it.each<[string, FakeHostOptions, RegExp]>([
    ['the unit fails to start', { ...STALE_DAEMON, restart: 'unit-fails' }, /containerd did not come back within 1s .*Job for containerd.service failed/],
    ['the daemon never answers', { ...STALE_DAEMON, restart: 'never-answers' }, /containerd did not come back within 1s/],
    ['the unit starts another binary', { ...STALE_DAEMON, staleBinaryVersion: '1.7.23', restart: 'starts-stale-binary' }, /runs 1\.7\.23 while 2\.0\.0 is installed/],
    ['the CRI plugin does not load', { ...STALE_DAEMON, restart: 'cri-fails' }, /its CRI plugin did not load/],
  ])('fails with the state of the host when %s, and does not touch Docker', (_case, options, message) => {
    // Prepare
    const scenario = host({ ...options, docker: 'active' });

    // Act
    const run = scenario.run(RESTART_SCRIPT);

    // Assess
    expect(run.status).toBe(1);
    expect(run.result?.status).toBe('failed');
    expect(run.result?.message).toMatch(message);
    expect(scenario.changingCalls()).toEqual(['systemctl restart containerd.service']);
  });

  it('changes nothing when run twice: the second run finds the host healthy and refuses', () => {
    // Prepare
    const stale = host(STALE_DAEMON);
    stale.run(RESTART_SCRIPT);
    const callsAfterFirst = stale.changingCalls();

    // Act
    const second = stale.run(RESTART_SCRIPT);

    // Assess
    expect(second.result).toMatchObject({ verdict: 'healthy', status: 'refused', refusal: 'healthy' });
    expect(stale.changingCalls()).toEqual(callsAfterFirst);
  });
});

describe('how the SSM agent runs the scripts', () => {
  it.each([
    ['check', CHECK_SCRIPT, 'checked'],
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
    expect(run.result?.verdict).toBe('stale-daemon');
  });

  it('contains no double braces, which SSM documents would read as parameter references', () => {
    // Prepare
    const scripts = [CHECK_SCRIPT, RESTART_SCRIPT].map((script) => fs.readFileSync(script, 'utf8'));

    // Act
    const withBraces = scripts.filter((text) => text.includes('{{'));

    // Assess
    expect(withBraces).toEqual([]);
  });

  it('never executes a /proc/<pid>/exe: the scripts only read those links', () => {
    // Prepare
    const library = fs.readFileSync(path.join(SCRIPTS_DIR, 'lib', 'runtime-probes.sh'), 'utf8');

    // Act
    const executions = library.split('\n').filter((line) => /"\$PROC_DIR\/[^"]*\/exe"/.test(line) && !/readlink|-ef|binary_replaced/.test(line));

    // Assess
    expect(executions).toEqual([]);
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
