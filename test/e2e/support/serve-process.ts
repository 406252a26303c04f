import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { signSlackRequest } from '../../helpers/slack-request';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * `npm run serve` as a child process: the real Lambda handler behind the local HTTP server, configured only through
 * its environment, exactly as an operator runs it. It is started as `node --import tsx lambda/cli/serve.ts` (what
 * the npm script does through tsx's launcher) so the process the test kills is the one that serves: killing a
 * launcher could leave the server running.
 */
export interface ServeProcess {
  base: string;
  /** Posts a Slack request body to `/slack/events`, signed unless `unsigned`. */
  post(body: string, options?: { contentType?: string; headers?: Record<string, string> }): Promise<{ status: number; text: string }>;
  /** Log lines written so far (stdout and stderr; JSON lines parsed, others as `{ message }`). */
  logs(): Record<string, unknown>[];
  /** SIGKILL: the process dies where it is, as a Lambda cut off by its timeout or a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** A port nobody listens on right now (closed again at once): servers in the child must know their port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the server with exactly `env` (plus PATH and HOME; nothing of the test's environment leaks in) and waits
 * for `/healthz`.
 */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'lambda/cli/serve.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, SHIM_FIX_LOG_LEVEL: 'INFO', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Powertools writes INFO to stdout and WARN/ERROR to stderr: both are collected, JSON lines parsed.
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  const collect = (stream: NodeJS.ReadableStream | null, onText: (text: string) => void): void => {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onText(text);
      pending += text;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          lines.push({ message: line });
        }
      }
    });
  };
  collect(child.stdout, () => undefined);
  collect(child.stderr, (text) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Safety net: a test that fails before its stop() must not leave a server running after the jest worker exits.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, () => stderr);

  return {
    base,
    post: async (body, { contentType = 'application/json', headers = {} } = {}) => {
      const response = await fetch(`${base}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': contentType, ...signSlackRequest(body), ...headers },
        body,
      });
      return { status: response.status, text: await response.text() };
    },
    logs: () => [...lines],
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // Open keep-alive sockets to the SDK's endpoints can hold a stopping server for a while: do not wait for them.
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** Polls `/healthz` (the server listens once the app is built); fails with the child's stderr if it exits first. */
async function waitForHealth(base: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not become healthy: ${stderr()}`);
}
