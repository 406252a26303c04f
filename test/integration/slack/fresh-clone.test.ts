import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { runbookText } from '../../helpers/runbook-text';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import { channelMessage, eventCallbackBody, signSlackRequest, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../helpers/slack-request';
import { unusedLoopbackPort } from '../../helpers/slack-loopback-port';

/**
 * Issue 10 point 5: a clean checkout of HEAD (no lambda/generated, node_modules linked in) serves a signed pasted
 * error with one threaded answer, `npx cdk synth` succeeds, and a runbook added to knowledge/ is what the next
 * `npm run serve` answers with. Nobody runs `npm run kb:build`.
 */
const ROOT = path.join(__dirname, '..', '..', '..');
const SHIM_PASTE = 'failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';

let workdir: string;
let clone: string;
let slack: SlackApiStub;

beforeAll(async () => {
  workdir = mkdtempSync(path.join(tmpdir(), 'shim-fix-clone-'));
  clone = path.join(workdir, 'repo');
  const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { encoding: 'utf8' });
  if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
  slack = await startSlackApiStub();
});
afterAll(async () => {
  await slack?.stop();
  rmSync(workdir, { recursive: true, force: true });
});

/** `npm run serve` in the clone, with its settings in `.env` as a developer would keep them. */
async function serve(): Promise<{ base: string; stop(): Promise<void> }> {
  const port = await unusedLoopbackPort();
  writeFileSync(
    path.join(clone, '.env'),
    `SLACK_SIGNING_SECRET=${TEST_SIGNING_SECRET}\nSLACK_BOT_TOKEN=${TEST_BOT_TOKEN}\nSLACK_API_URL=${slack.apiUrl}\nPORT=${port}\nSHIM_FIX_LOG_LEVEL=WARN\n`,
  );
  const child: ChildProcess = spawn('npm', ['run', '--silent', 'serve'], {
    cwd: clone,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workdir },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    if (attempt > 600) throw new Error(`serve did not become healthy: ${stderr}`);
    const healthy = await fetch(`${base}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    base,
    stop: async () => {
      // npm, sh and node share the process group: stop them all.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/** Whether the server answers on this machine's non-loopback address too (it must not: 127.0.0.1 by default). */
async function reachableFromOtherAddress(base: string): Promise<boolean> {
  const other = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;
  // A machine with loopback only cannot tell the difference; 127.0.0.2 is loopback but not the address listened on.
  const url = new URL(base);
  url.hostname = other ?? '127.0.0.2';
  return fetch(`${url.origin}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );
}

async function paste(base: string, text: string, extra: Record<string, unknown> = {}): Promise<number> {
  const body = eventCallbackBody(channelMessage(text, extra));
  const response = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlackRequest(body) }, body });
  return response.status;
}

describe('a fresh clone, without npm run kb:build', () => {
  test('npm run serve answers a signed pasted error with one threaded answer; a runbook added later is served by the next start', async () => {
    // Prepare
    expect(existsSync(path.join(clone, 'lambda', 'generated'))).toBe(false);
    const first = await serve();

    // Act
    const status = await paste(first.base, SHIM_PASTE);
    const fromOutside = await reachableFromOtherAddress(first.base);
    await first.stop();
    writeFileSync(
      path.join(clone, 'knowledge', 'runtime', 'example-failure.md'),
      runbookText({ id: 'example-failure', frontMatter: { title: 'Freshly added runbook' }, sectionsZh: true }),
    );
    const second = await serve();
    await paste(second.base, 'my containers fail with example failure (42) since this morning', { channel: 'D0DIRECT01', channel_type: 'im' });
    await second.stop();

    // Assess
    expect(status).toBe(200);
    expect(fromOutside).toBe(false);
    const [answer, newRunbook, ...more] = slack.landed('chat.postMessage');
    expect(more).toEqual([]);
    expect(answer?.body.thread_ts).toBeDefined();
    expect(JSON.stringify(answer?.body.blocks)).toContain('shim-version-mismatch');
    expect(JSON.stringify(newRunbook?.body.blocks)).toContain('Freshly added runbook');
  }, 120_000);

  test('npx cdk synth succeeds', () => {
    // Act
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', path.join(workdir, 'cdk.out')], {
      cwd: clone,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workdir, CDK_DISABLE_VERSION_CHECK: '1' },
      encoding: 'utf8',
      timeout: 170_000,
    });

    // Assess
    expect({ status: synth.status, stderr: synth.status === 0 ? '' : synth.stderr.slice(-2000) }).toEqual({ status: 0, stderr: '' });
    expect(existsSync(path.join(workdir, 'cdk.out', 'ShimFix.template.json'))).toBe(true);
  }, 180_000);
});
