/**
 * `npm run serve` as a child process for benchmarks: started on a free loopback port, waited for until `/healthz`
 * answers, its memory sampled from `/proc`, and stopped by the process group it was started in (nothing else).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface ServeProcess {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Pid of the node process that serves (under npm and tsx), for `/proc/<pid>/status`. */
  serverPid: number;
  /** Peak resident set size in bytes so far (`VmHWM`) of the serving process. */
  peakRss(): number;
  /** Current resident set size in bytes (`VmRSS`) of the serving process. */
  rss(): number;
  /** The last lines the child wrote to stderr, for error messages. */
  stderrTail(): string;
  stop(): Promise<void>;
}

const PROJECT_ROOT = path.resolve(__dirname, '..');

/** A port nobody listens on right now (the kernel picks it; the child binds it a moment later). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** `/proc/<pid>/status` field in bytes (the kernel reports kB), or 0 when the process is gone. */
function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every process whose ancestry leads to `root` (npm → sh → tsx → node), read from `/proc/<pid>/stat`. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name in parentheses, which may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm run serve exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm run serve did not answer /healthz within ${timeoutMs} ms`);
}

/**
 * Starts `npm run serve` with `env` (plus PORT and PATH) in its own process group.
 *
 * @example
 * const serve = await startServe({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-x', SLACK_API_URL: stub.apiUrl });
 * try { ... } finally { await serve.stop(); }
 */
export async function startServe(env: Record<string, string>, { startTimeoutMs = 60_000 } = {}): Promise<ServeProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('npm', ['run', '--silent', 'serve'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    // Its own process group, so stop() ends npm, tsx and the server together and nothing else.
    detached: true,
    // Logs are JSON lines per request: discarded, so writing them costs what it costs in Lambda and no more.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(url, child, startTimeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${stderr}`, { cause: error });
  }
  // The serving process is the descendant with the most memory (npm and the tsx launcher are small).
  const serverPid = descendants(child.pid!).sort((a, b) => statusBytes(b, 'VmRSS') - statusBytes(a, 'VmRSS'))[0] ?? child.pid!;
  return {
    url,
    serverPid,
    peakRss: () => statusBytes(serverPid, 'VmHWM'),
    rss: () => statusBytes(serverPid, 'VmRSS'),
    stderrTail: () => stderr,
    stop,
  };
}
