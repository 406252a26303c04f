import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseResultLine, type ScriptResult } from '../../lambda/core/remediation/result-line';
import { assembleScript } from '../../infra/ssm-script-assembly';

/**
 * A real container host for the SSM scripts: a real containerd (private root, state and socket) and a real dockerd on
 * it, run as "units" of a systemctl stand-in (test/lab/systemctl-stand-in.sh), under a private mktemp directory.
 * Built by test/lab/lab-up.sh, torn down by test/lab/lab-down.sh; recipe in ../shared/host-lab.md.
 */

const HERE = __dirname;
const SCRIPTS_DIR = path.join(HERE, '..', '..', 'infra', 'ssm');

/** What the lab needs: root and the Debian packages .ci/run installs (containerd runc docker.io busybox-static gcc). */
const REQUIRED_COMMANDS = ['containerd', 'containerd-shim-runc-v2', 'ctr', 'runc', 'dockerd', 'docker', 'busybox', 'cc', 'setsid', 'timeout'];

/** Why the lab cannot run here; empty when it can. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.platform !== 'linux') return ['Linux'];
  if (process.getuid?.() !== 0) missing.push('root');
  for (const command of REQUIRED_COMMANDS) {
    const found = spawnSync('bash', ['-c', `PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH type -P ${command}`], { encoding: 'utf8' });
    if (found.status !== 0) missing.push(command);
  }
  return missing;
}

export interface LabRun {
  status: number | null;
  stdout: string;
  stderr: string;
  result: ScriptResult | undefined;
}

/** The scripts exactly as our SSM documents carry them (library inlined), written once per lab. */
function assembled(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, assembleScript(path.join(SCRIPTS_DIR, name)), { mode: 0o755 });
  return file;
}

export class LabHost {
  public readonly checkScript: string;
  public readonly restartScript: string;

  private constructor(public readonly dir: string) {
    this.checkScript = assembled(dir, 'check-container-runtime.sh');
    this.restartScript = assembled(dir, 'restart-container-runtime.sh');
  }

  /** Builds the lab and starts containerd and dockerd; tears down what it started if that fails. */
  public static start(): LabHost {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-fix-lab.'));
    const up = spawnSync('bash', [path.join(HERE, 'lab-up.sh'), dir, String(process.pid)], { encoding: 'utf8', timeout: 60_000 });
    if (up.status !== 0) {
      LabHost.teardown(dir);
      throw new Error(`lab-up.sh failed (${up.status ?? up.signal}): ${up.stderr}`);
    }
    return new LabHost(dir);
  }

  public static teardown(dir: string): void {
    spawnSync('bash', [path.join(HERE, 'lab-down.sh'), dir], { encoding: 'utf8', timeout: 60_000 });
  }

  public dispose(): void {
    LabHost.teardown(this.dir);
  }

  public get socket(): string {
    return path.join(this.dir, 'containerd.sock');
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      DOCKER_HOST: `unix://${path.join(this.dir, 'docker.sock')}`,
      SHIM_FIX_ROOT: path.join(this.dir, 'root'),
      SHIM_FIX_SOCKET: this.socket,
      SHIM_FIX_PATH: [path.join(this.dir, 'sbin'), path.join(this.dir, 'usr', 'bin'), path.join(this.dir, 'tools')].join(':'),
      SHIM_FIX_POLL_INTERVAL_SECONDS: '0.1',
      SHIM_FIX_SOCKET_WAIT_SECONDS: '20',
      SHIM_FIX_DOCKER_WAIT_SECONDS: '20',
    };
  }

  /** Runs one SSM script the way the agent does (bash, as root), against the lab. */
  public run(script: string, env: Record<string, string> = {}): LabRun {
    const child = spawnSync('bash', [script], { encoding: 'utf8', timeout: 90_000, env: { ...this.env, ...env } });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr, result: parseResultLine(child.stdout) };
  }

  public docker(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000, env: this.env });
  }

  public ctr(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync('ctr', ['--address', this.socket, ...args], { encoding: 'utf8', timeout: 60_000, env: this.env });
  }

  /** Main PID of a lab unit as the stand-in reports it (0 when not running). */
  public mainPid(unit: string): number {
    return Number.parseInt(this.unitProperty(unit, 'MainPID'), 10);
  }

  /** systemctl calls that change something (start, stop, restart, daemon-reload), in order. */
  public changingCalls(): string[] {
    return this.read('calls.log')
      .split('\n')
      .filter((line) => /^systemctl (start|stop|restart|daemon-reload)\b/.test(line));
  }

  /**
   * The half-done upgrade of ../shared/host-lab.md: the shim answers the v3 handshake to the daemon running now, and
   * the daemon's binary file is replaced by a fresh copy (cp + mv: new inode), so its /proc/<pid>/exe reads (deleted).
   */
  public upgrade(): void {
    this.write('upgraded-daemon-pid', String(this.mainPid('containerd.service')));
    this.replaceInstalledBinary();
  }

  /** A package upgrade of one daemon's binary: a fresh copy renamed over it, so the running process's exe reads (deleted). */
  public replaceInstalledBinary(daemon: 'containerd' | 'dockerd' = 'containerd'): void {
    const installed = path.join(this.dir, 'usr', daemon === 'containerd' ? 'bin' : 'sbin', daemon);
    fs.copyFileSync(installed, `${installed}.new`);
    fs.chmodSync(`${installed}.new`, 0o755);
    fs.renameSync(`${installed}.new`, installed);
  }

  /**
   * Turns dockerd's live-restore on or off the way an operator would: daemon.json, then SIGHUP (live-restore is one of
   * the settings dockerd reloads), and waits until the running daemon reports it.
   */
  public setLiveRestore(enabled: boolean): void {
    // Written out either way: a reload leaves settings that are absent from the file as they were.
    this.write('daemon.json', `${JSON.stringify({ 'live-restore': enabled })}\n`);
    process.kill(this.mainPid('docker.service'), 'SIGHUP');
    const wanted = String(enabled);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (this.docker('info', '--format', '{{.LiveRestoreEnabled}}').stdout.trim() === wanted) return;
      spawnSync('sleep', ['0.1']);
    }
    throw new Error(`dockerd did not report live-restore ${wanted} after SIGHUP`);
  }

  /** The pids in a unit's cgroup, as the stand-in put them there (empty where it could not create cgroups). */
  public unitProcesses(unit: string): number[] {
    const cgroup = this.read(path.join('units', unit, 'cgroup'));
    if (!cgroup || !fs.existsSync(path.join(cgroup, 'cgroup.procs'))) return [];
    return fs
      .readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  }

  /** A lab unit's property as the stand-in's `systemctl show` answers it. */
  public unitProperty(unit: string, property: string): string {
    return spawnSync(path.join(this.dir, 'sbin', 'systemctl'), ['show', `--property=${property}`, '--value', unit], { encoding: 'utf8' }).stdout.trim();
  }

  public setUnitProperty(unit: string, property: string, value: string): void {
    this.write(path.join('units', unit, property), `${value}\n`);
  }

  /** The unit file changed on disk: `systemctl show` keeps the loaded value until daemon-reload makes this one current. */
  public changeUnitFile(unit: string, property: string, value: string): void {
    fs.mkdirSync(path.join(this.dir, 'units', unit, 'pending'), { recursive: true });
    this.write(path.join('units', unit, 'pending', property), `${value}\n`);
    this.setUnitProperty(unit, 'NeedDaemonReload', 'yes');
  }

  public read(file: string): string {
    const full = path.join(this.dir, file);
    return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
  }

  public write(file: string, content: string): void {
    fs.writeFileSync(path.join(this.dir, file), content);
  }

  public exists(file: string): boolean {
    return fs.existsSync(path.join(this.dir, file));
  }

  public plantedPid(): number {
    return Number.parseInt(this.read('planted.pid'), 10);
  }
}

/** The fields of /proc/<pid>/stat after the parenthesised command name (which may itself hold spaces): state, ppid, … */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function parentPid(pid: number): number {
  return Number(statFields(pid)[1]);
}

/** Whether a process runs: it exists and is not a zombie (a killed process nobody reaped still answers signal 0). */
export function alive(pid: number): boolean {
  try {
    return statFields(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}
