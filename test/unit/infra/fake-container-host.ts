import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseResultLine, type ScriptResult } from '../../../lambda/core/remediation/result-line';
import { assembleScript } from '../../../infra/ssm-script-assembly';

/**
 * A container host made of stub executables and a fake /proc in a temp dir, for what the real-host lab (test/lab)
 * cannot show: containerd 1.7 / 2.x version strings, k3s, rke2, snap and Bottlerocket layouts, KillMode and unit
 * relations, failures of systemd itself. Outputs are modelled on those projects' documented formats (systemctl show,
 * `ctr version`, `ctr plugins ls`, `containerd --version`, `containerd-shim-runc-v2 -v`). The stubs keep their state in
 * files, so `systemctl restart containerd` really changes what `ctr version` answers next, and every systemctl and
 * docker call is recorded in order.
 */

export const SCRIPTS_DIR = path.join(__dirname, '..', '..', '..', 'infra', 'ssm');
export const CHECK_SOURCE = path.join(SCRIPTS_DIR, 'check-container-runtime.sh');
export const RESTART_SOURCE = path.join(SCRIPTS_DIR, 'restart-container-runtime.sh');

/** The scripts exactly as our SSM documents carry them: shared library inlined (infra/ssm-script-assembly.ts). */
const ASSEMBLED_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-fix-ssm-documents-'));
process.on('exit', () => fs.rmSync(ASSEMBLED_DIR, { recursive: true, force: true }));
function assembled(source: string): string {
  const file = path.join(ASSEMBLED_DIR, path.basename(source));
  fs.writeFileSync(file, assembleScript(source), { mode: 0o755 });
  return file;
}
export const CHECK_SCRIPT = assembled(CHECK_SOURCE);
export const RESTART_SCRIPT = assembled(RESTART_SOURCE);

/** What `systemctl restart containerd.service` does on this host. */
export type ContainerdRestartBehaviour =
  /** The installed binary starts and serves its socket. */
  | 'comes-back'
  /** The unit fails to start; systemctl says so and exits 1. */
  | 'unit-fails'
  /** systemctl returns 0 but the daemon never answers. */
  | 'never-answers'
  /** The unit starts another, older binary (`staleBinaryVersion`). */
  | 'starts-stale-binary'
  /** The daemon comes back, but its CRI plugin failed to load. */
  | 'cri-fails';

export type Manager = 'k3s' | 'rke2' | 'snap' | 'dockerd' | 'bottlerocket';

export interface FakeHostOptions {
  /** Version of the containerd the unit starts; omit for a host without a containerd unit. */
  installed?: string;
  /** Version of the daemon running now; null = not running. @default the installed version */
  running?: string | null;
  /** Whether the running daemon's exe reads `(deleted)`. @default running differs from installed */
  binaryReplaced?: boolean;
  restart?: ContainerdRestartBehaviour;
  /** A second containerd (and shim) in a PATH directory that comes first, like a forgotten /usr/local/bin copy. */
  staleBinaryVersion?: string;
  /** Version of the shim next to the installed containerd. @default the installed version */
  shimVersion?: string;
  killMode?: string;
  needsDaemonReload?: boolean;
  /** KillMode of the unit file on disk, which systemd reports only after daemon-reload. */
  killModeOnDisk?: string;
  /** The installed binary's complaint about the config (config dump exits 1). */
  configRejected?: string;
  /** `ctr plugins ls` line for CRI. @default 'ok' */
  cri?: 'ok' | 'error' | 'absent';
  /** The unit's MainPID is in another mount namespace (a containerd inside a container). */
  foreignMountNamespace?: boolean;
  /** `systemctl` answers "System has not been booted with systemd". */
  noSystemd?: boolean;
  /** Who runs containerd instead of containerd.service. */
  manager?: Manager;
  /** State of docker.service; undefined = Docker not installed. */
  docker?: 'active' | 'inactive';
  liveRestore?: boolean;
  runningContainers?: number;
  dockerBindsTo?: boolean;
  dockerRequires?: boolean;
  /** dockerd's exe reads `(deleted)`. */
  dockerdReplaced?: boolean;
  /** Whether `docker info` answers after containerd was restarted (before any Docker restart). @default true */
  dockerRecovers?: boolean;
  /** Content of /etc/docker/daemon.json. */
  daemonJson?: string;
  dockerenv?: boolean;
  /** Name of the directory holding the installed binaries (to test escaping). @default 'usr-bin' */
  binDirName?: string;
  /** Adds a PATH directory that is a symlink to the installed binaries' directory (merged-/usr alias). */
  aliasDirectory?: boolean;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Last line of stdout, the one the contract says holds the result. */
  lastLine: string;
  result: ScriptResult | undefined;
}

const CONTAINERD_PID = 4242;
const DOCKERD_PID = 5151;
/** A process named containerd that is not the unit's: its "binary" writes a marker when executed. */
const PLANTED_PID = 4300;
let bashPath: string | undefined;

function bash(): string {
  bashPath ??= spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout?.trim();
  if (!bashPath) throw new Error('bash is required to test the SSM scripts');
  return bashPath;
}

let tools: [string, string][] | undefined;

/** Where the real tools the stubs need are, looked up once per test file rather than once per host. */
function realTools(): [string, string][] {
  tools ??= ['bash', 'timeout', 'sleep', 'readlink', 'mv', 'rm', 'cat', 'ln', 'mkdir'].map((tool) => {
    const real = spawnSync(bash(), ['-c', `type -P ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (!real) throw new Error(`${tool} is required to test the SSM scripts`);
    return [tool, real];
  });
  return tools;
}

let socketFile: string | undefined;

/** A unix socket file, left behind by a process that exits without closing its server (that keeps the file); made once. */
function deadSocket(): string {
  if (socketFile !== undefined) return socketFile;
  const target = path.join(ASSEMBLED_DIR, 'dead.sock');
  const made = spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.exit(0))", target], { encoding: 'utf8' });
  if (made.status !== 0 || !fs.statSync(target, { throwIfNoEntry: false })?.isSocket()) throw new Error(`could not create socket ${target}: ${made.stderr}`);
  socketFile = target;
  return target;
}

function q(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `containerd --version` as 1.x and 2.x print it (2.x has the /v2 module path). */
export function containerdVersionLine(version: string): string {
  const module = version.startsWith('1.') ? 'github.com/containerd/containerd' : 'github.com/containerd/containerd/v2';
  return `containerd ${module} v${version} 207ad711eabd375a7b85b1e5f2d2d0af3c3e0d2e`;
}

function execStart(binary: string, args = ''): string {
  const argv = args ? `${binary} ${args}` : binary;
  return `{ path=${binary} ; argv[]=${argv} ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }`;
}

export class FakeContainerHost {
  public readonly base: string;
  public readonly root: string;
  public readonly state: string;
  public readonly bin: string;
  public readonly staleBin: string;
  public readonly aliasBin: string;
  public readonly tools: string;
  public readonly socket: string;

  public constructor(private readonly options: FakeHostOptions) {
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-fix-'));
    this.root = path.join(this.base, 'root');
    this.state = path.join(this.base, 'state');
    this.bin = path.join(this.base, options.binDirName ?? 'usr-bin');
    this.staleBin = path.join(this.base, 'usr-local-bin');
    this.aliasBin = path.join(this.base, 'bin-alias');
    this.tools = path.join(this.base, 'tools');
    this.socket = path.join(this.root, 'run', 'containerd', 'containerd.sock');
    this.build();
  }

  /** Directories the scripts search, in order (given to them as SHIM_FIX_PATH). */
  public get searchPath(): string {
    const dirs = [];
    if (this.options.staleBinaryVersion) dirs.push(this.staleBin);
    dirs.push(this.bin);
    if (this.options.aliasDirectory) dirs.push(this.aliasBin);
    dirs.push(this.tools);
    return dirs.join(':');
  }

  /** systemctl and docker invocations that are not reads, in order. */
  public changingCalls(): string[] {
    return this.calls().filter((line) => !/^systemctl (show|is-active)\b/.test(line) && !/^docker info\b/.test(line));
  }

  public calls(): string[] {
    const file = path.join(this.state, 'calls.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  }

  public plantedExecuted(): boolean {
    return fs.existsSync(path.join(this.state, 'planted-executed'));
  }

  /** Runs one script with bash, as the SSM document would, with tiny wait bounds. */
  public run(script: string, extra: { args?: string[]; env?: Record<string, string> } = {}): ScriptRun {
    return this.spawn(bash(), [script, ...(extra.args ?? [])], extra.env);
  }

  /**
   * Runs the script the way the SSM agent's aws:runShellScript does on Linux: the runCommand lines are written to
   * `_script.sh` and started with `sh -c <file>`; `viaShInterpreter` runs `sh <file>` instead, where sh itself reads
   * the file and the script must switch to bash on its own.
   */
  public runEmbedded(script: string, viaShInterpreter = false): ScriptRun {
    const lines = fs.readFileSync(script, 'utf8').replace(/\n$/, '').split('\n');
    const orchestration = fs.mkdtempSync(path.join(this.base, 'orchestration-'));
    const scriptFile = path.join(orchestration, '_script.sh');
    fs.writeFileSync(scriptFile, `${lines.join('\n')}\n`, { mode: 0o700 });
    const agentPath = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
    return viaShInterpreter ? this.spawn('sh', [scriptFile], agentPath) : this.spawn('sh', ['-c', scriptFile], agentPath);
  }

  public dispose(): void {
    fs.rmSync(this.base, { recursive: true, force: true });
  }

  private spawn(command: string, args: string[], env: Record<string, string> = {}): ScriptRun {
    const child = spawnSync(command, args, {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: this.tools,
        SHIM_FIX_ROOT: this.root,
        SHIM_FIX_PATH: this.searchPath,
        SHIM_FIX_SOCKET_WAIT_SECONDS: '1',
        SHIM_FIX_POLL_INTERVAL_SECONDS: '0.05',
        SHIM_FIX_DOCKER_WAIT_SECONDS: '1',
        ...env,
      },
    });
    const stdout = child.stdout ?? '';
    const lines = stdout.replace(/\n$/, '').split('\n');
    return { status: child.status, stdout, stderr: child.stderr ?? '', lastLine: lines[lines.length - 1] ?? '', result: parseResultLine(stdout) };
  }

  private file(name: string): string {
    return q(path.join(this.state, name));
  }

  private build(): void {
    const { options } = this;
    for (const dir of [this.root, this.state, this.bin, this.tools, path.join(this.root, 'run', 'containerd'), path.join(this.root, 'proc', '1', 'ns')]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    this.linkTools();
    fs.writeFileSync(path.join(this.state, 'ns-host'), '');
    fs.writeFileSync(path.join(this.state, 'ns-other'), '');
    fs.symlinkSync(path.join(this.state, 'ns-host'), path.join(this.root, 'proc', '1', 'ns', 'mnt'));

    const installed = options.installed;
    const running = options.running === undefined ? (installed ?? null) : options.running;
    const unitRuns = running !== null && installed !== undefined && !options.manager;
    if (running !== null) this.write('running-version', running);
    this.write('restart-mode', options.restart ?? 'comes-back');
    this.write('cri', options.cri ?? 'ok');
    this.write('docker-state', options.docker ?? 'not-found');
    this.write('docker-answers', options.docker === 'active' ? 'yes' : 'no');
    this.write('docker-recovers', options.dockerRecovers === false ? 'no' : 'yes');

    if (installed) {
      this.stub(this.bin, 'containerd', this.containerdStub(installed));
      this.stub(this.bin, 'containerd-shim-runc-v2', this.shimStub(options.shimVersion ?? installed));
    }
    if (options.staleBinaryVersion) {
      fs.mkdirSync(this.staleBin, { recursive: true });
      this.stub(this.staleBin, 'containerd', this.containerdStub(options.staleBinaryVersion));
      this.stub(this.staleBin, 'containerd-shim-runc-v2', this.shimStub(options.staleBinaryVersion));
    }
    if (options.aliasDirectory) fs.symlinkSync(this.bin, this.aliasBin);
    this.stub(this.bin, 'ctr', this.ctrStub());
    this.stub(this.bin, 'systemctl', this.systemctlStub());
    if (options.docker) {
      this.stub(this.bin, 'docker', this.dockerStub());
      this.stub(this.bin, 'dockerd', 'echo "Docker version 27.3.1, build 41ca978"');
    }
    this.stub(this.bin, 'systemd-detect-virt', 'echo none; exit 1');

    this.unitFiles(unitRuns);
    if (unitRuns) {
      const replaced = options.binaryReplaced ?? running !== installed;
      this.process(CONTAINERD_PID, replaced ? `${path.join(this.bin, 'containerd')} (deleted)` : path.join(this.bin, 'containerd'), options.foreignMountNamespace);
    }
    if (options.docker === 'active') {
      const dockerd = path.join(this.bin, 'dockerd');
      this.process(DOCKERD_PID, options.dockerdReplaced ? `${dockerd} (deleted)` : dockerd);
    }
    // A container running its own containerd: the scripts must never execute it (issue 9 point 4).
    this.stub(this.state, 'planted', `echo "$*" >>${this.file('planted-executed')}; echo 'containerd github.com/containerd/containerd v9.9.9'`);
    this.process(PLANTED_PID, path.join(this.state, 'planted'));
    fs.writeFileSync(path.join(this.root, 'proc', String(PLANTED_PID), 'comm'), 'containerd\n');

    this.managerLayout();
    if (options.daemonJson !== undefined) {
      fs.mkdirSync(path.join(this.root, 'etc', 'docker'), { recursive: true });
      fs.writeFileSync(path.join(this.root, 'etc', 'docker', 'daemon.json'), options.daemonJson);
    }
    fs.mkdirSync(path.join(this.root, 'etc', 'containerd'), { recursive: true });
    fs.writeFileSync(path.join(this.root, 'etc', 'containerd', 'config.toml'), 'version = 2\n');
    if (options.dockerenv) fs.writeFileSync(path.join(this.root, '.dockerenv'), '');
  }

  /** A /proc/<pid> with an exe link (read by the scripts, never to be executed) and a mount namespace link. */
  private process(pid: number, exe: string, foreign = false): void {
    const dir = path.join(this.root, 'proc', String(pid));
    fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
    fs.rmSync(path.join(dir, 'exe'), { force: true });
    fs.symlinkSync(exe, path.join(dir, 'exe'));
    fs.rmSync(path.join(dir, 'ns', 'mnt'), { force: true });
    fs.symlinkSync(path.join(this.state, foreign ? 'ns-other' : 'ns-host'), path.join(dir, 'ns', 'mnt'));
  }

  /** One file per unit property, read by the systemctl stub. */
  private unitFiles(unitRuns: boolean): void {
    const { options } = this;
    const unit = (name: string, properties: Record<string, string>): void => {
      const dir = path.join(this.state, 'units', name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [key, value] of Object.entries({ LoadState: 'loaded', ...properties })) fs.writeFileSync(path.join(dir, key), `${value}\n`);
    };
    if (options.installed && !options.manager) {
      unit('containerd.service', {
        ExecStart: execStart(path.join(this.bin, 'containerd')),
        KillMode: options.killMode ?? 'process',
        NeedDaemonReload: options.needsDaemonReload ? 'yes' : 'no',
        MainPID: unitRuns ? String(CONTAINERD_PID) : '0',
        ...(options.killModeOnDisk ? { 'KillMode.ondisk': options.killModeOnDisk } : {}),
      });
    }
    if (options.docker) {
      unit('docker.service', {
        ExecStart: execStart(path.join(this.bin, 'dockerd'), '-H fd:// --containerd=/run/containerd/containerd.sock'),
        BindsTo: options.dockerBindsTo ? 'containerd.service' : '',
        Requires: options.dockerRequires ? 'containerd.service docker.socket' : 'docker.socket',
        MainPID: options.docker === 'active' ? String(DOCKERD_PID) : '0',
      });
    }
    if (options.manager === 'k3s') unit('k3s.service', { MainPID: '3000' });
    if (options.manager === 'rke2') unit('rke2-server.service', { MainPID: '3000' });
    if (options.manager === 'snap') unit('snap.microk8s.daemon-containerd.service', { MainPID: '3000' });
  }

  /** Files each manager is known by: k3s' and rke2's embedded containerd socket, microk8s' socket, dockerd's config. */
  private managerLayout(): void {
    const socketFile = (relative: string): void => {
      fs.mkdirSync(path.dirname(path.join(this.root, relative)), { recursive: true });
      this.createSocket(path.join(this.root, relative));
    };
    switch (this.options.manager) {
      case 'k3s':
        socketFile('run/k3s/containerd/containerd.sock');
        break;
      case 'rke2':
        socketFile('run/k3s/containerd/containerd.sock');
        fs.mkdirSync(path.join(this.root, 'var/lib/rancher/rke2/bin'), { recursive: true });
        this.stub(path.join(this.root, 'var/lib/rancher/rke2/bin'), 'containerd', `echo ${q(containerdVersionLine('1.7.23-k3s1'))}`);
        break;
      case 'snap':
        socketFile('var/snap/microk8s/common/run/containerd.sock');
        break;
      case 'dockerd':
        fs.mkdirSync(path.join(this.root, 'var/run/docker/containerd'), { recursive: true });
        fs.writeFileSync(path.join(this.root, 'var/run/docker/containerd/containerd.toml'), 'version = 2\n');
        break;
      case 'bottlerocket':
        // The control container, where SSM runs: apiclient is there, the host's containerd is not.
        this.stub(this.bin, 'apiclient', 'exit 0');
        break;
      default:
        break;
    }
    if (this.options.manager === undefined && this.options.running !== null && this.options.installed) this.createSocket(this.socket);
  }

  private linkTools(): void {
    for (const [tool, real] of realTools()) fs.symlinkSync(real, path.join(this.tools, tool));
  }

  /** A unix socket file nobody listens on: a hard link to the one {@link deadSocket} made, so a host costs no process. */
  private createSocket(target: string): void {
    fs.linkSync(deadSocket(), target);
  }

  private write(name: string, content: string): void {
    fs.writeFileSync(path.join(this.state, name), `${content}\n`);
  }

  private stub(dir: string, name: string, body: string): void {
    fs.writeFileSync(path.join(dir, name), `#!${bash()}\n${body}\n`, { mode: 0o755 });
  }

  private containerdStub(version: string): string {
    const rejected = this.options.configRejected;
    return [
      `if [[ \${1:-} == --version || \${1:-} == -v ]]; then printf '%s\\n' ${q(containerdVersionLine(version))}; exit 0; fi`,
      `if [[ \${1:-} == --config && \${3:-} == config && \${4:-} == dump ]]; then`,
      rejected ? `  printf 'containerd: %s\\n' ${q(rejected)} >&2; exit 1` : `  echo 'version = 2'; exit 0`,
      'fi',
      `echo 'stub containerd: only --version and config dump are supported' >&2; exit 2`,
    ].join('\n');
  }

  private shimStub(version: string): string {
    return `if [[ \${1:-} == -v ]]; then printf 'containerd-shim-runc-v2:\\n  Version:  v%s\\n  Revision: 207ad711\\n  Go version: go1.23.2\\n' ${q(version)}; exit 0; fi\nexit 2`;
  }

  /** Client section says the installed version, Server section the running daemon's: the script must read Server. */
  private ctrStub(): string {
    const running = this.file('running-version');
    return [
      'address=/run/containerd/containerd.sock',
      'args=()',
      'while (($#)); do case $1 in --address|-a) address=$2; shift 2 ;; *) args+=("$1"); shift ;; esac; done',
      `if [[ ! -S $address || ! -f ${running} ]]; then`,
      '  printf \'ctr: failed to dial "%s": context deadline exceeded\\n\' "$address" >&2; exit 1',
      'fi',
      'case ${args[0]:-} in',
      '  version)',
      `    printf 'Client:\\n  Version:  v%s\\n  Revision: 207ad711\\n  Go version: go1.23.2\\n\\n' ${q(this.options.installed ?? '0.0.0')}`,
      `    printf 'Server:\\n  Version:  v%s\\n  Revision: 57f17b0a\\n  UUID: 8c0f5b3e-1b8a-4bb2-9d1f-4d6a0e0c2f11\\n' "$(<${running})" ;;`,
      '  plugins)',
      `    printf '%-39s%-25s%-15s%s\\n' TYPE ID PLATFORMS STATUS io.containerd.content.v1 content - ok`,
      `    case $(<${this.file('cri')}) in`,
      `      ok) printf '%-39s%-25s%-15s%s\\n' io.containerd.grpc.v1 cri linux/amd64 ok ;;`,
      `      error) printf '%-39s%-25s%-15s%s\\n' io.containerd.grpc.v1 cri linux/amd64 error ;;`,
      '    esac ;;',
      'esac',
    ].join('\n');
  }

  private systemctlStub(): string {
    const units = q(path.join(this.state, 'units'));
    const running = this.file('running-version');
    const proc = q(path.join(this.root, 'proc'));
    const hostNs = q(path.join(this.state, 'ns-host'));
    const installedBinary = q(path.join(this.bin, 'containerd'));
    return [
      `printf 'systemctl %s\\n' "$*" >>${this.file('calls.log')}`,
      this.options.noSystemd
        ? `echo 'System has not been booted with systemd as init system (PID 1). Can'"'"'t operate.' >&2; echo 'Failed to connect to bus: Host is down' >&2; exit 1`
        : '',
      'unit() { local n=$1; [[ $n == *.* ]] || n=$n.service; printf %s "$n"; }',
      'if [[ $1 == show ]]; then',
      '  prop=${2#--property=}; name=${4:-}',
      '  if [[ -z $name ]]; then [[ $prop == Version ]] && echo 252; exit 0; fi',
      `  f=${units}/$(unit "$name")/$prop`,
      `  if [[ -f $f ]]; then cat "$f"; elif [[ $prop == LoadState ]]; then echo not-found; elif [[ $prop == MainPID ]]; then echo 0; else echo; fi`,
      '  exit 0',
      'fi',
      'case "$1 $(unit "${2:-x}")" in',
      `  'is-active docker.service')`,
      `    s=$(<${this.file('docker-state')}); if [[ $s == not-found ]]; then echo inactive; exit 4; fi; echo "$s"; [[ $s == active ]]; exit ;;`,
      `  'is-active containerd.service')`,
      `    if [[ -f ${running} ]]; then echo active; else echo failed; exit 3; fi ;;`,
      `  'daemon-reload x.service')`,
      `    echo no >${units}/containerd.service/NeedDaemonReload`,
      `    if [[ -f ${units}/containerd.service/KillMode.ondisk ]]; then mv ${units}/containerd.service/KillMode.ondisk ${units}/containerd.service/KillMode; fi`,
      '    exit 0 ;;',
      `  'restart containerd.service')`,
      `    rm -f ${running}; echo 0 >${units}/containerd.service/MainPID`,
      `    case $(<${this.file('restart-mode')}) in`,
      `      comes-back|cri-fails) printf '%s\\n' ${q(this.options.installed ?? '')} >${running} ;;`,
      `      starts-stale-binary) printf '%s\\n' ${q(this.options.staleBinaryVersion ?? '')} >${running} ;;`,
      '      never-answers) exit 0 ;;',
      '      unit-fails)',
      `        echo 'Job for containerd.service failed because the control process exited with error code.' >&2`,
      `        echo 'See "systemctl status containerd.service" and "journalctl -xeu containerd.service" for details.' >&2`,
      '        exit 1 ;;',
      '    esac',
      `    [[ $(<${this.file('restart-mode')}) != cri-fails ]] || echo error >${this.file('cri')}`,
      `    mkdir -p ${proc}/4243/ns; ln -sfn ${installedBinary} ${proc}/4243/exe; ln -sfn ${hostNs} ${proc}/4243/ns/mnt`,
      `    echo 4243 >${units}/containerd.service/MainPID`,
      // docker.service BindsTo/Requires containerd: systemd restarts Docker along with it.
      `    if grep -q containerd.service ${units}/docker.service/BindsTo ${units}/docker.service/Requires 2>/dev/null; then echo yes >${this.file('docker-answers')}; fi`,
      `    [[ $(<${this.file('docker-recovers')}) == yes ]] || echo no >${this.file('docker-answers')}`,
      '    exit 0 ;;',
      `  'restart docker.service'|'start docker.service')`,
      `    echo active >${this.file('docker-state')}; echo yes >${this.file('docker-answers')}; exit 0 ;;`,
      'esac',
      `echo "stub systemctl: unsupported: $*" >&2; exit 1`,
    ].join('\n');
  }

  private dockerStub(): string {
    return [
      `printf 'docker %s\\n' "$*" >>${this.file('calls.log')}`,
      `if [[ \${1:-} == info && $(<${this.file('docker-answers')}) == yes ]]; then`,
      '  case ${3:-} in',
      `    *LiveRestoreEnabled*) echo ${this.options.liveRestore ? 'true' : 'false'} ;;`,
      `    *ContainersRunning*) echo ${this.options.runningContainers ?? 0} ;;`,
      '    *ServerVersion*) echo 27.3.1 ;;',
      '  esac',
      '  exit 0',
      'fi',
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2',
      'exit 1',
    ].join('\n');
  }
}
