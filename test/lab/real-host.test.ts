import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { shippedDiagnoser } from '../helpers/knowledge';
import { LabHost, alive, missingPrerequisites, parentPid } from './lab-host';

/**
 * The SSM scripts against a real containerd 1.6 + runc + dockerd (Debian packages), started under a private lab
 * directory with a systemctl stand-in (see lab-host.ts). The failure is the real one: the shim answers the v3 handshake
 * to the daemon that ran at "upgrade" time, and that daemon's binary was replaced on disk.
 *
 * Needs root and the packages `.ci/run` installs. Without them the suite is skipped with a warning locally; with CI set
 * it fails, so the real-host tests can never silently stop running.
 */

const missing = missingPrerequisites();
const inCi = Boolean(process.env.CI);
if (missing.length > 0 && !inCi) {
  console.warn(
    `\n*** REAL-HOST LAB TESTS SKIPPED: missing ${missing.join(', ')}. Run as root after ` +
      '`apt-get install containerd runc docker.io busybox-static gcc` (.ci/run does this). ***\n',
  );
}
const describeLab = missing.length === 0 || inCi ? describe : describe.skip;

/** This machine's own systemctl, when installed: PID 1 here is not systemd, so it answers as in a container. */
const REAL_SYSTEMCTL = ['/usr/bin/systemctl', '/bin/systemctl'].find((file) => fs.existsSync(file));

const RUN = ['run', '--rm', '--network', 'none', 'busybox:lab', '/bin/busybox', 'echo', 'hi'];
const BAD_CONFIG = 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = 1\n';

describeLab('SSM scripts on a real containerd + dockerd', () => {
  let lab: LabHost | undefined;
  let survivorPid = 0;
  let dockerdPid = 0;

  beforeAll(() => {
    if (missing.length > 0) return;
    lab = LabHost.start();
    // A short stop timeout: busybox as PID 1 ignores SIGTERM, and a Docker restart without live-restore stops it.
    const started = lab.docker('run', '-d', '--network', 'none', '--stop-timeout', '1', '--name', 'survivor', 'busybox:lab', '/bin/busybox', 'sleep', '600');
    if (started.status !== 0) throw new Error(`could not start the survivor container: ${started.stderr}`);
    survivorPid = Number(lab.docker('inspect', '-f', '{{.State.Pid}}', 'survivor').stdout.trim());
    dockerdPid = lab.mainPid('docker.service');
  }, 90_000);

  afterAll(() => {
    lab?.dispose();
  }, 90_000);

  function host(): LabHost {
    if (!lab) throw new Error(`the lab did not start: missing ${missing.join(', ')}`);
    return lab;
  }

  it('has root and the Debian packages it needs (CI must run these tests)', () => {
    // Assess
    expect(missing).toEqual([]);
  });

  it('says healthy on a freshly started host, where docker run works', () => {
    // Act
    const check = host().run(host().checkScript);

    // Assess
    expect(host().docker(...RUN).stdout).toBe('hi\n');
    expect(check.status).toBe(0);
    expect(check.result).toMatchObject({ verdict: 'healthy', status: 'checked' });
    expect(check.result?.containerd).toMatchObject({ binaryReplaced: false, killMode: 'process', configAccepted: true, criLoaded: true, socket: true });
    expect(check.result?.docker).toMatchObject({ active: true, liveRestore: false, runningContainers: 1, binaryReplaced: false });
  });

  it('reproduces the upgrade failure: the real docker and ctr errors are diagnosed as shim-version-mismatch', () => {
    // Prepare
    host().upgrade();
    const diagnoser = shippedDiagnoser();

    // Act
    const docker = host().docker(...RUN);
    const ctr = host().ctr('run', '--rm', '--rootfs', `${host().dir}/rootfs`, 'lab-ctr', '/bin/busybox', 'echo', 'hello');

    // Assess
    expect(docker.status).not.toBe(0);
    // The real texts of ../shared/host-lab.md. What a terminal shows as a second space after `dial unix` is a NUL:
    // containerd 1.6 dials an address without unix:// as an abstract socket ("\x00" + address).
    expect(docker.stderr).toContain('Error response from daemon: failed to start shim: start failed: dial unix \u0000{"version":3,"address":"unix:///run/containerd/s/');
    expect(docker.stderr).toContain('","protocol":"ttrpc"}: connect: invalid argument: unknown');
    expect(ctr.status).not.toBe(0);
    expect(ctr.stderr.startsWith('ctr: failed to start shim: start failed: dial unix \u0000{"version":3,"address":"unix:///run/containerd/s/')).toBe(true);
    expect(diagnoser.diagnose(docker.stderr, { mode: 'channel' }).runbook?.id).toBe('shim-version-mismatch');
    expect(diagnoser.diagnose(ctr.stderr, { mode: 'channel' }).runbook?.id).toBe('shim-version-mismatch');
    // As pasted from a terminal, where the NUL became a space.
    expect(diagnoser.diagnose(docker.stderr.replaceAll('\u0000', ' '), { mode: 'channel' }).runbook?.id).toBe('shim-version-mismatch');
  });

  it('check says stale-daemon from the replaced binary, and changes nothing', () => {
    // Prepare
    const pid = host().mainPid('containerd.service');
    const callsBefore = host().changingCalls();

    // Act
    const check = host().run(host().checkScript);

    // Assess
    expect(check.result).toMatchObject({ action: 'check', verdict: 'stale-daemon', status: 'checked', refusal: null });
    expect(check.result?.containerd).toMatchObject({ mainPid: pid, binaryReplaced: true, installedPath: `${host().dir}/usr/bin/containerd` });
    expect(check.result?.containerd.runningExe).toBe(`${host().dir}/usr/bin/containerd (deleted)`);
    expect(host().mainPid('containerd.service')).toBe(pid);
    expect(host().changingCalls()).toEqual(callsBefore);
    expect(host().docker(...RUN).status).not.toBe(0);
  });

  it('refuses a restart into a config the installed binary rejects, leaving the running daemon untouched', () => {
    // Prepare
    const pid = host().mainPid('containerd.service');
    const good = host().read('config.toml');
    const callsBefore = host().changingCalls();
    host().write('config.toml', BAD_CONFIG);

    // Act
    const restart = host().run(host().restartScript);
    host().write('config.toml', good);

    // Assess
    expect(restart.status).toBe(0);
    expect(restart.result).toMatchObject({ action: 'restart', verdict: 'config-rejected', status: 'refused', refusal: 'config-rejected' });
    expect(restart.result?.containerd.configAccepted).toBe(false);
    expect(restart.result?.containerd.configError).toContain("Can't convert 1(int64) to string");
    expect(host().mainPid('containerd.service')).toBe(pid);
    expect(host().changingCalls()).toEqual(callsBefore);
  });

  it('refuses when docker.service BindsTo containerd and live-restore is off, naming the containers it would stop', () => {
    // Prepare
    const pid = host().mainPid('containerd.service');
    host().setUnitProperty('docker.service', 'BindsTo', 'containerd.service');

    // Act
    const restart = host().run(host().restartScript);
    host().setUnitProperty('docker.service', 'BindsTo', '');

    // Assess
    expect(restart.result).toMatchObject({ verdict: 'stale-daemon', status: 'refused', refusal: 'docker-would-stop-containers' });
    expect(restart.result?.docker).toMatchObject({ bindsToContainerd: true, liveRestore: false, runningContainers: 1 });
    expect(restart.result?.message).toContain('stops 1 running containers');
    expect(host().mainPid('containerd.service')).toBe(pid);
  });

  it('restart fixes docker run; the running container survives and dockerd is not restarted', () => {
    // Prepare
    const before = host().mainPid('containerd.service');

    // Act
    const restart = host().run(host().restartScript);

    // Assess
    expect(restart.status).toBe(0);
    expect(restart.result).toMatchObject({ action: 'restart', verdict: 'stale-daemon', status: 'restarted', refusal: null });
    expect(restart.result?.containerd).toMatchObject({ binaryReplaced: false, socket: true, criLoaded: true });
    expect(restart.result?.containerd.running).toBe(restart.result?.containerd.installed);
    expect(restart.result?.docker).toMatchObject({ restarted: false, recovered: true });
    expect(host().mainPid('containerd.service')).not.toBe(before);
    expect(host().changingCalls().slice(-1)).toEqual(['systemctl restart containerd.service']);
    expect(host().docker(...RUN).stdout).toBe('hi\n');
    expect(host().mainPid('docker.service')).toBe(dockerdPid);
    expect(alive(survivorPid)).toBe(true);
    expect(host().docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'survivor').stdout.trim()).toBe(`true ${survivorPid}`);
  });

  it('changes nothing when run again on the fixed host: refused, verdict healthy', () => {
    // Prepare
    const pid = host().mainPid('containerd.service');
    const callsBefore = host().changingCalls();

    // Act
    const again = host().run(host().restartScript);

    // Assess
    expect(again.result).toMatchObject({ verdict: 'healthy', status: 'refused', refusal: 'healthy' });
    expect(host().mainPid('containerd.service')).toBe(pid);
    expect(host().changingCalls()).toEqual(callsBefore);
  });

  it.each(['control-group', 'mixed'])(
    'refuses a restart when containerd.service has KillMode=%s, which would kill the shims: nothing is touched',
    (killMode) => {
      // Prepare
      host().replaceInstalledBinary();
      host().setUnitProperty('containerd.service', 'KillMode', killMode);
      const pid = host().mainPid('containerd.service');
      const callsBefore = host().changingCalls();
      const survivorShim = parentPid(survivorPid);

      // Act
      const restart = host().run(host().restartScript, { SHIM_FIX_ALLOW_STOPPING_CONTAINERS: 'yes' });
      host().setUnitProperty('containerd.service', 'KillMode', 'process');

      // Assess
      expect(restart.status).toBe(0);
      expect(restart.result).toMatchObject({ verdict: 'unsafe-kill-mode', status: 'refused', refusal: 'unsafe-kill-mode' });
      expect(restart.result?.containerd).toMatchObject({ killMode, binaryReplaced: true });
      expect(restart.result?.message).toContain(`KillMode=${killMode}`);
      expect(host().changingCalls()).toEqual(callsBefore);
      expect(host().mainPid('containerd.service')).toBe(pid);
      // What the refusal protects: the running container's shim is a process of containerd's unit (a real cgroup, see
      // systemctl-stand-in.sh), which a restart with this KillMode would signal.
      expect(host().unitProcesses('containerd.service')).toEqual(expect.arrayContaining([pid, survivorShim]));
      expect(host().unitProcesses('containerd.service')).not.toContain(survivorPid);
      expect(host().docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'survivor').stdout.trim()).toBe(`true ${survivorPid}`);
      expect(parentPid(survivorPid)).toBe(survivorShim);
    },
  );

  it('decides again after daemon-reload: a unit file that now says KillMode=control-group is refused, nothing restarted', () => {
    // Prepare: the stale daemon of the previous cases; the unit file on disk changed KillMode, systemd has not reloaded.
    host().changeUnitFile('containerd.service', 'KillMode', 'control-group');
    const pid = host().mainPid('containerd.service');
    const loaded = host().unitProperty('containerd.service', 'KillMode');
    const callsBefore = host().changingCalls().length;

    // Act
    const restart = host().run(host().restartScript);
    host().setUnitProperty('containerd.service', 'KillMode', 'process');

    // Assess
    expect(loaded).toBe('process');
    expect(restart.result).toMatchObject({ verdict: 'unsafe-kill-mode', status: 'refused', refusal: 'unsafe-kill-mode' });
    expect(restart.result?.containerd).toMatchObject({ killMode: 'control-group', needsDaemonReload: false });
    expect(restart.result?.message).toMatch(/^restart refused after systemctl daemon-reload, no process was touched: /);
    expect(host().changingCalls().slice(callsBefore)).toEqual(['systemctl daemon-reload']);
    expect(host().mainPid('containerd.service')).toBe(pid);
    expect(host().docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'survivor').stdout.trim()).toBe(`true ${survivorPid}`);
  });

  it('runs systemctl daemon-reload before the restart when the unit changed on disk', () => {
    // Prepare: the stale daemon of the previous cases, and a unit file systemd has not reloaded yet.
    host().setUnitProperty('containerd.service', 'NeedDaemonReload', 'yes');
    const callsBefore = host().changingCalls().length;
    const shown = host().unitProperty('containerd.service', 'NeedDaemonReload');

    // Act
    const restart = host().run(host().restartScript);
    const afterwards = host().unitProperty('containerd.service', 'NeedDaemonReload');
    host().setUnitProperty('containerd.service', 'NeedDaemonReload', 'no');

    // Assess
    expect(shown).toBe('yes');
    expect(restart.result).toMatchObject({ verdict: 'stale-daemon', status: 'restarted' });
    expect(restart.result?.containerd).toMatchObject({ needsDaemonReload: false, binaryReplaced: false });
    expect(restart.stdout).toContain('changed on disk since systemd loaded it: systemctl daemon-reload');
    expect(host().changingCalls().slice(callsBefore)).toEqual(['systemctl daemon-reload', 'systemctl restart containerd.service']);
    expect(afterwards).toBe('no');
    expect(host().docker(...RUN).stdout).toBe('hi\n');
  });

  describe('a stale dockerd (its binary replaced on disk too)', () => {
    it('check reports Docker stale; without consent the restart refuses, naming the containers it would stop', () => {
      // Prepare
      host().upgrade();
      host().replaceInstalledBinary('dockerd');
      const pids = [host().mainPid('containerd.service'), host().mainPid('docker.service')];
      const callsBefore = host().changingCalls();

      // Act
      const check = host().run(host().checkScript);
      const restart = host().run(host().restartScript, { SHIM_FIX_ALLOW_STOPPING_CONTAINERS: 'no' });

      // Assess
      expect(check.result).toMatchObject({ verdict: 'stale-daemon', status: 'checked' });
      expect(check.result?.docker).toMatchObject({ active: true, binaryReplaced: true, liveRestore: false, runningContainers: 1 });
      expect(restart.result).toMatchObject({ verdict: 'stale-daemon', status: 'refused', refusal: 'docker-would-stop-containers' });
      expect(restart.result?.message).toContain('dockerd itself is stale');
      expect(restart.result?.message).toContain('stops 1 running containers');
      expect(host().changingCalls()).toEqual(callsBefore);
      expect([host().mainPid('containerd.service'), host().mainPid('docker.service')]).toEqual(pids);
      expect(host().docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'survivor').stdout.trim()).toBe(`true ${survivorPid}`);
    });

    it('with AllowStoppingContainers=yes restarts containerd and dockerd, docker run works, and the result counts the stopped container', () => {
      // Prepare
      const before = { containerd: host().mainPid('containerd.service'), docker: host().mainPid('docker.service') };
      const callsBefore = host().changingCalls().length;

      // Act
      const restart = host().run(host().restartScript, { SHIM_FIX_ALLOW_STOPPING_CONTAINERS: 'yes' });
      const survivor = host().docker('inspect', '-f', '{{.State.Running}}', 'survivor').stdout.trim();
      const run = host().docker(...RUN);
      // Restore: the survivor runs again for the cases after this one.
      host().docker('start', 'survivor');
      survivorPid = Number(host().docker('inspect', '-f', '{{.State.Pid}}', 'survivor').stdout.trim());
      dockerdPid = host().mainPid('docker.service');

      // Assess
      expect(restart.status).toBe(0);
      expect(restart.result).toMatchObject({ verdict: 'stale-daemon', status: 'restarted', refusal: null });
      expect(restart.result?.docker).toMatchObject({ restarted: true, recovered: true, liveRestore: false, runningContainers: 1 });
      expect(restart.result?.message).toContain('Docker restarted and answers');
      expect(restart.result?.message).toContain('with live-restore off that stopped its 1 running containers (0 run now)');
      expect(host().changingCalls().slice(callsBefore)).toEqual(['systemctl restart containerd.service', 'systemctl restart docker.service']);
      expect(host().mainPid('containerd.service')).not.toBe(before.containerd);
      expect(host().mainPid('docker.service')).not.toBe(before.docker);
      expect(run.stdout).toBe('hi\n');
      expect(survivor).toBe('false');
      expect(fs.readlinkSync(`/proc/${host().mainPid('docker.service')}/exe`)).toBe(`${host().dir}/usr/sbin/dockerd`);
    });

    it('with live-restore on, the Docker restart keeps the running container, without asking', () => {
      // Prepare
      host().setLiveRestore(true);
      host().upgrade();
      host().replaceInstalledBinary('dockerd');
      const before = host().mainPid('docker.service');
      const callsBefore = host().changingCalls().length;

      // Act
      const restart = host().run(host().restartScript);
      host().setLiveRestore(false);

      // Assess
      expect(restart.result).toMatchObject({ verdict: 'stale-daemon', status: 'restarted', refusal: null });
      expect(restart.result?.docker).toMatchObject({ restarted: true, recovered: true, liveRestore: true, runningContainers: 1 });
      expect(restart.result?.message).toContain('Docker restarted and answers (live-restore on: 1 containers ran before, 1 run now)');
      expect(host().changingCalls().slice(callsBefore)).toEqual(['systemctl restart containerd.service', 'systemctl restart docker.service']);
      expect(host().mainPid('docker.service')).not.toBe(before);
      expect(alive(survivorPid)).toBe(true);
      expect(host().docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'survivor').stdout.trim()).toBe(`true ${survivorPid}`);
      expect(host().docker(...RUN).stdout).toBe('hi\n');
    });
  });

  (REAL_SYSTEMCTL ? it : it.skip)("with this machine's real systemctl (PID 1 is not systemd): no-systemd, and the restart refuses", () => {
    // Prepare
    const realSystemd = path.join(host().dir, 'real-systemd');
    fs.mkdirSync(realSystemd, { recursive: true });
    fs.symlinkSync(REAL_SYSTEMCTL ?? '', path.join(realSystemd, 'systemctl'));
    const searchPath = [realSystemd, `${host().dir}/usr/bin`, `${host().dir}/tools`].join(':');
    const pid = host().mainPid('containerd.service');
    host().replaceInstalledBinary();

    // Act
    const check = host().run(host().checkScript, { SHIM_FIX_PATH: searchPath });
    const restart = host().run(host().restartScript, { SHIM_FIX_PATH: searchPath });

    // Assess
    expect(check.result?.verdict).toBe('no-systemd');
    expect(check.result?.message).toContain('System has not been booted with systemd');
    expect(restart.result).toMatchObject({ verdict: 'no-systemd', status: 'refused', refusal: 'no-systemd' });
    expect(host().mainPid('containerd.service')).toBe(pid);
  });

  it('never executed the planted process named containerd, and never signalled it', () => {
    // Prepare
    const planted = host().plantedPid();

    // Act
    const check = host().run(host().checkScript);

    // Assess
    expect(host().exists('planted-executed') ? host().read('planted-executed') : 'never executed').toBe('never executed');
    expect(alive(planted)).toBe(true);
    expect(check.stdout).not.toContain('9.9.9');
  });

  // Last on purpose: it kills the running container's shim, which no later case could recover from.
  // KillMode=mixed (SIGTERM to containerd, then SIGKILL to the rest of its unit) because the real shims outlive a SIGTERM
  // for seconds: control-group would wait out the stand-in's 10 s stop timeout before its SIGKILL.
  it("the stand-in's KillMode=mixed restart does kill the shims: the hazard the refusal prevents is real", () => {
    // Prepare
    const shim = parentPid(survivorPid);
    host().setUnitProperty('containerd.service', 'KillMode', 'mixed');

    // Act
    const restart = spawnSync(path.join(host().dir, 'sbin', 'systemctl'), ['restart', 'containerd.service'], { encoding: 'utf8', timeout: 60_000 });
    host().setUnitProperty('containerd.service', 'KillMode', 'process');

    // Assess
    expect(restart.status).toBe(0);
    expect(alive(shim)).toBe(false);
  });
});
