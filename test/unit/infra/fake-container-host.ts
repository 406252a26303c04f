import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseResultLine, type ScriptResult } from '../../../lambda/core/remediation/result-line';
import { assembleScript } from '../../../infra/ssm-script-assembly';

/**
 * A container host made of stub executables in a temp dir, for running `infra/ssm/*.sh` without root, systemd or
 * containerd. The stubs keep their state in files, so `systemctl restart containerd` really changes what `ctr version`
 * answers next, and every systemctl/docker call is recorded in order.
 */

export const SCRIPTS_DIR = path.join(__dirname, '..', '..', '..', 'infra', 'ssm');
export const CHECK_SOURCE = path.join(SCRIPTS_DIR, 'check-container-runtime.sh');
export const RESTART_SOURCE = path.join(SCRIPTS_DIR, 'restart-container-runtime.sh');

/** The scripts exactly as our SSM documents carry them: shared library inlined (infra/ssm-script-assembly.ts). */
const ASSEMBLED_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-fix-ssm-documents-'));
function assembled(source: string): string {
  const file = path.join(ASSEMBLED_DIR, path.basename(source));
  fs.writeFileSync(file, assembleScript(source), { mode: 0o755 });
  return file;
}
export const CHECK_SCRIPT = assembled(CHECK_SOURCE);
export const RESTART_SCRIPT = assembled(RESTART_SOURCE);

/** What `systemctl restart containerd` does on this host. */
export type ContainerdRestartBehaviour =
  /** The new daemon (the installed version) starts and serves its socket. */
  | 'comes-back'
  /** The unit fails to start; systemctl says so and exits 1. */
  | 'unit-fails'
  /** systemctl returns 0 but the daemon never serves its socket. */
  | 'never-answers'
  /** The unit starts another, older binary (`staleBinaryVersion`). */
  | 'starts-stale-binary'
  /** The socket file is there again, but no daemon answers on it. */
  | 'socket-without-daemon';

export interface FakeHostOptions {
  /** Version of the containerd the unit starts (and of the shim next to it); omit for a host without containerd. */
  installed?: string;
  /** Version of the daemon running now; null = not running. @default the installed version */
  running?: string | null;
  restart?: ContainerdRestartBehaviour;
  /** A second containerd (and shim) in another PATH directory that comes first, like a forgotten /usr/local/bin copy. */
  staleBinaryVersion?: string;
  /** Version of the shim next to the installed containerd. @default the installed version */
  shimVersion?: string;
  /** Whether `ctr` exists. @default true */
  ctr?: boolean;
  /** State of the docker unit; undefined = Docker not installed. */
  docker?: 'active' | 'inactive';
  /** `docker info` LiveRestoreEnabled while Docker is active. @default false */
  liveRestore?: boolean;
  /** Content of /etc/docker/daemon.json. */
  daemonJson?: string;
  /** Whether `systemctl restart docker` brings Docker back. @default true */
  dockerComesBack?: boolean;
  /** Creates /.dockerenv. */
  dockerenv?: boolean;
  /** What `systemd-detect-virt --container` prints. @default 'none' */
  virt?: string;
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

const PID = '4242';
let bashPath: string | undefined;

/** Absolute path of bash, looked up once, when a host is first built (importing this module needs no bash). */
function bash(): string {
  bashPath ??= spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout?.trim();
  if (!bashPath) throw new Error('bash is required to test the SSM scripts');
  return bashPath;
}

/** Single-quotes a value for the stub scripts (the stubs are generated, so no value may break their syntax). */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function versionLine(version: string): string {
  // containerd 2.x prints its Go module path with /v2; 1.x without.
  const module = version.startsWith('1.') ? 'github.com/containerd/containerd' : 'github.com/containerd/containerd/v2';
  return `containerd ${module} v${version} 207ad711eabd375a7b85b1e5f2d2d0af3c3e0d2e`;
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
  private readonly parkedSocket: string;

  public constructor(private readonly options: FakeHostOptions) {
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-fix-'));
    this.root = path.join(this.base, 'root');
    this.state = path.join(this.base, 'state');
    this.bin = path.join(this.base, options.binDirName ?? 'usr-bin');
    this.staleBin = path.join(this.base, 'usr-local-bin');
    this.aliasBin = path.join(this.base, 'bin-alias');
    this.tools = path.join(this.base, 'tools');
    this.socket = path.join(this.root, 'run', 'containerd', 'containerd.sock');
    this.parkedSocket = path.join(this.state, 'parked.sock');
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

  /** systemctl and docker invocations, one per line, in the order they happened. */
  public calls(): string[] {
    const file = path.join(this.state, 'calls.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  }

  public runningVersion(): string | undefined {
    const file = path.join(this.state, 'running-version');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
  }

  /** Runs one script with bash, as the SSM document would, with tiny wait bounds. */
  public run(script: string, extra: { args?: string[]; env?: Record<string, string> } = {}): ScriptRun {
    return this.spawn(bash(), [script, ...(extra.args ?? [])], extra.env);
  }

  /**
   * Runs the script the way the SSM agent's aws:runShellScript does on Linux: the runCommand lines (here: the file's
   * lines) are written to `_script.sh` and started with `sh -c <file>`; `viaShInterpreter` runs `sh <file>` instead,
   * where sh itself reads the file and the script must switch to bash on its own.
   */
  public runEmbedded(script: string, viaShInterpreter = false): ScriptRun {
    const lines = fs.readFileSync(script, 'utf8').replace(/\n$/, '').split('\n');
    const orchestration = fs.mkdtempSync(path.join(this.base, 'orchestration-'));
    const scriptFile = path.join(orchestration, '_script.sh');
    fs.writeFileSync(scriptFile, `${lines.join('\n')}\n`, { mode: 0o700 });
    // The agent's PATH, not ours: `#!/usr/bin/env bash` must find bash there.
    return viaShInterpreter
      ? this.spawn('sh', [scriptFile], { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' })
      : this.spawn('sh', ['-c', scriptFile], { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });
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
        SHIM_FIX_DOCKER_WAIT_SECONDS: '5',
        ...env,
      },
    });
    const stdout = child.stdout ?? '';
    const lines = stdout.replace(/\n$/, '').split('\n');
    return {
      status: child.status,
      stdout,
      stderr: child.stderr ?? '',
      lastLine: lines[lines.length - 1] ?? '',
      result: parseResultLine(stdout),
    };
  }

  private build(): void {
    const { options } = this;
    for (const dir of [this.root, this.state, this.bin, this.tools, path.join(this.root, 'run', 'containerd')]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    this.linkTools();

    const running = options.running === undefined ? (options.installed ?? null) : options.running;
    if (running !== null) this.write(path.join(this.state, 'running-version'), `${running}\n`);
    this.write(path.join(this.state, 'restart-mode'), `${options.restart ?? 'comes-back'}\n`);
    this.write(path.join(this.state, 'docker-state'), `${options.docker ?? 'not-found'}\n`);
    this.createSocket(running !== null ? this.socket : this.parkedSocket);

    if (options.installed) {
      this.stub(this.bin, 'containerd', this.containerdStub(options.installed));
      this.stub(this.bin, 'containerd-shim-runc-v2', this.shimStub(options.shimVersion ?? options.installed));
    }
    if (options.staleBinaryVersion) {
      fs.mkdirSync(this.staleBin, { recursive: true });
      this.stub(this.staleBin, 'containerd', this.containerdStub(options.staleBinaryVersion));
      this.stub(this.staleBin, 'containerd-shim-runc-v2', this.shimStub(options.staleBinaryVersion));
    }
    if (options.aliasDirectory) fs.symlinkSync(this.bin, this.aliasBin);
    if (options.ctr ?? true) this.stub(this.bin, 'ctr', this.ctrStub());
    this.stub(this.bin, 'systemctl', this.systemctlStub());
    if (options.docker) this.stub(this.bin, 'docker', this.dockerStub());
    this.stub(this.bin, 'systemd-detect-virt', this.detectVirtStub());

    // The daemon process: /proc/<pid>/exe opens the binary it was started from, whatever is on disk now.
    const procDir = path.join(this.root, 'proc', PID);
    fs.mkdirSync(procDir, { recursive: true });
    this.stub(this.state, 'daemon-binary', `printf '%s\\n' "containerd github.com/containerd/containerd v$(<${shellQuote(path.join(this.state, 'running-version'))})"`);
    fs.symlinkSync(path.join(this.state, 'daemon-binary'), path.join(procDir, 'exe'));
    this.write(path.join(procDir, 'comm'), 'containerd\n');

    if (options.daemonJson !== undefined) {
      fs.mkdirSync(path.join(this.root, 'etc', 'docker'), { recursive: true });
      this.write(path.join(this.root, 'etc', 'docker', 'daemon.json'), options.daemonJson);
    }
    if (options.dockerenv) this.write(path.join(this.root, '.dockerenv'), '');
  }

  /** Real coreutils the scripts and stubs use, and nothing else, so no containerd of the test machine leaks in. */
  private linkTools(): void {
    for (const tool of ['bash', 'timeout', 'sleep', 'readlink', 'mv', 'rm']) {
      const real = spawnSync(bash(), ['-c', `type -P ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (!real) throw new Error(`${tool} is required to test the SSM scripts`);
      fs.symlinkSync(real, path.join(this.tools, tool));
    }
  }

  /** A unix socket file, left behind by a process that exits without closing its server (that keeps the file). */
  private createSocket(target: string): void {
    const made = spawnSync(
      process.execPath,
      ['-e', "require('net').createServer().listen(process.argv[1], () => process.exit(0))", target],
      { encoding: 'utf8' },
    );
    if (made.status !== 0 || !fs.existsSync(target)) throw new Error(`could not create socket ${target}: ${made.stderr}`);
  }

  private write(file: string, content: string): void {
    fs.writeFileSync(file, content);
  }

  private stub(dir: string, name: string, body: string): void {
    fs.writeFileSync(path.join(dir, name), `#!${bash()}\n${body}\n`, { mode: 0o755 });
  }

  private stateFile(name: string): string {
    return shellQuote(path.join(this.state, name));
  }

  private containerdStub(version: string): string {
    return [
      `if [[ \${1:-} == --version || \${1:-} == -v ]]; then printf '%s\\n' ${shellQuote(versionLine(version))}; exit 0; fi`,
      `echo 'stub containerd: only --version is supported' >&2; exit 2`,
    ].join('\n');
  }

  private shimStub(version: string): string {
    return [
      `if [[ \${1:-} == -v ]]; then printf 'containerd-shim-runc-v2:\\n  Version:  v%s\\n  Revision: 207ad711\\n' ${shellQuote(version)}; exit 0; fi`,
      `echo 'stub shim: only -v is supported' >&2; exit 2`,
    ].join('\n');
  }

  /** Client section says the installed version, Server section the running daemon's: the script must read Server. */
  private ctrStub(): string {
    return [
      'address=/run/containerd/containerd.sock',
      'while (($#)); do case $1 in --address) address=$2; shift 2 ;; *) shift ;; esac; done',
      `printf 'Client:\\n  Version:  v%s\\n  Revision: 207ad711\\n  Go version: go1.23.2\\n\\n' ${shellQuote(this.options.installed ?? '0.0.0')}`,
      `if [[ -S $address && -f ${this.stateFile('running-version')} ]]; then`,
      `  printf 'Server:\\n  Version:  v%s\\n  Revision: 57f17b0a\\n  UUID: 8c0f5b3e\\n' "$(<${this.stateFile('running-version')})"`,
      '  exit 0',
      'fi',
      'printf \'ctr: failed to dial "%s": context deadline exceeded\\n\' "$address" >&2',
      'exit 1',
    ].join('\n');
  }

  private systemctlStub(): string {
    const socket = shellQuote(this.socket);
    const parked = shellQuote(this.parkedSocket);
    const running = this.stateFile('running-version');
    return [
      `printf 'systemctl %s\\n' "$*" >>${this.stateFile('calls.log')}`,
      'case "$1 ${2:-}" in',
      `  'is-active docker')`,
      `    state=$(<${this.stateFile('docker-state')})`,
      '    if [[ $state == not-found ]]; then echo inactive; exit 4; fi',
      '    echo "$state"; [[ $state == active ]]; exit ;;',
      `  'is-active containerd')`,
      `    if [[ -f ${running} ]]; then echo active; exit 0; else echo failed; exit 3; fi ;;`,
      `  'show --property=MainPID')`,
      `    if [[ -f ${running} ]]; then echo ${PID}; else echo 0; fi; exit 0 ;;`,
      `  'show --property=ExecStart')`,
      this.options.installed
        ? `    printf '{ path=%s ; argv[]=%s ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\\n' ${shellQuote(path.join(this.bin, 'containerd'))} ${shellQuote(path.join(this.bin, 'containerd'))}; exit 0 ;;`
        : '    exit 0 ;;',
      `  'restart containerd')`,
      `    if [[ -S ${socket} ]]; then mv ${socket} ${parked}; fi`,
      `    rm -f ${running}`,
      `    case $(<${this.stateFile('restart-mode')}) in`,
      `      comes-back) printf '%s\\n' ${shellQuote(this.options.installed ?? '')} >${running} ;;`,
      `      starts-stale-binary) printf '%s\\n' ${shellQuote(this.options.staleBinaryVersion ?? '')} >${running} ;;`,
      '      never-answers) exit 0 ;;',
      '      socket-without-daemon) ;;',
      '      unit-fails)',
      `        echo 'Job for containerd.service failed because the control process exited with error code.' >&2`,
      `        echo 'See "systemctl status containerd.service" and "journalctl -xeu containerd.service" for details.' >&2`,
      '        exit 1 ;;',
      '    esac',
      `    mv ${parked} ${socket}; exit 0 ;;`,
      `  'restart docker')`,
      this.options.dockerComesBack === false
        ? `    echo failed >${this.stateFile('docker-state')}; echo 'Job for docker.service failed.' >&2; exit 1 ;;`
        : `    echo active >${this.stateFile('docker-state')}; exit 0 ;;`,
      'esac',
      `echo "stub systemctl: unsupported: $*" >&2; exit 1`,
    ].join('\n');
  }

  private dockerStub(): string {
    return [
      `printf 'docker %s\\n' "$*" >>${this.stateFile('calls.log')}`,
      `if [[ \${1:-} == info && $(<${this.stateFile('docker-state')}) == active ]]; then echo ${this.options.liveRestore ? 'true' : 'false'}; exit 0; fi`,
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2',
      'exit 1',
    ].join('\n');
  }

  private detectVirtStub(): string {
    const virt = this.options.virt ?? 'none';
    return `echo ${shellQuote(virt)}; [[ ${shellQuote(virt)} != none ]]`;
  }
}
