/**
 * `npm run bench:slack`: cold start and warm latency of the Slack handler.
 *
 * - Cold start: a fresh `node` process loads the bundled handler and serves its first request (a pasted
 *   error that gets a threaded answer), against a bare Bolt AwsLambdaReceiver app bundled the same way
 *   (`bench/bare-bolt-handler.ts`). Median of COLD_RUNS processes each, run alternately; target <= 1.25x.
 * - Warm: p50/p99 of a pasted-error event and of `/shim-fix search`, on one warm handler; the Slack Web API
 *   is the local stub on loopback, so the figure is our time plus one loopback round trip; target p99 <= 15 ms.
 *
 * Both bundles use the stack's esbuild settings (infra/constructs/handler-function.ts). Idempotency runs in
 * memory here (no DynamoDB round trip), which the figures say.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { handlerEsbuildOptions, PROJECT_ROOT } from '../infra/constructs/handler-function';
import { startSlackApiStub } from '../test/helpers/slack-api-stub';
import { ms, percentile, verdict } from './stats';

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const WARM_ITERATIONS = Number(process.env.BENCH_WARM_ITERATIONS ?? 500);
const COLD_RATIO_TARGET = 1.25;
const WARM_P99_TARGET_MS = 15;
// Under node_modules so the bundles' external AWS SDK resolves as it does in the Lambda runtime.
const OUT_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'shim-fix-bench');
const RUNNER = path.join(PROJECT_ROOT, 'bench', 'slack-runner.cjs');
const PASTE = [
  'Nov 10 12:00:01 node-7 dockerd[812]: time="2026-11-10T12:00:01Z" level=error msg="Handler for POST /v1.47/containers/abc/start',
  'returned error: failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented"',
].join(' ');

interface ColdResult {
  loadMs: number;
  firstRequestMs: number;
  totalMs: number;
  status: number;
}
interface WarmResult {
  paste: { p50: number; p99: number };
  slash: { p50: number; p99: number };
}

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = path.join(OUT_DIR, `${name}.js`);
  await build({
    ...handlerEsbuildOptions(entry, outfile),
    // The runtime here may be older than the Lambda one; the syntax level does not change the work done.
    target: `node${process.versions.node.split('.')[0]}`,
  });
  return outfile;
}

function runChild<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const line = stdout.split('\n').find((text) => text.startsWith('BENCH '));
      if (code !== 0 || line === undefined) reject(new Error(`runner failed (${code}): ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(line.slice('BENCH '.length)) as T);
    });
  });
}

const median = (values: number[]): number => percentile(values, 50);

async function main(): Promise<number> {
  if (!existsSync(path.join(PROJECT_ROOT, 'lambda', 'generated', 'knowledge.json'))) {
    process.stderr.write('lambda/generated/knowledge.json is missing: run `npm run kb:build` first\n');
    return 1;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const [ours, bare] = await Promise.all([
    bundle('lambda/handlers/slack.ts', 'slack-handler'),
    bundle('bench/bare-bolt-handler.ts', 'bare-bolt-handler'),
  ]);
  const eventsFile = path.join(OUT_DIR, 'events.json');
  writeFileSync(eventsFile, JSON.stringify({ paste: PASTE }));

  const slack = await startSlackApiStub();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: slack.apiUrl,
    AWS_REGION: 'us-east-1',
    // Nothing may leave the machine: any AWS call fails at once on a closed loopback port.
    AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    SHIM_FIX_LOG_LEVEL: 'INFO',
  };
  try {
    const coldOurs: ColdResult[] = [];
    const coldBare: ColdResult[] = [];
    for (let run = 0; run < COLD_RUNS; run += 1) {
      // Alternate, so drift in machine load hits both alike.
      coldBare.push(await runChild<ColdResult>(['cold', bare, eventsFile], env));
      coldOurs.push(await runChild<ColdResult>(['cold', ours, eventsFile], env));
    }
    const postsPerColdStart = slack.calls('chat.postMessage').length / (2 * COLD_RUNS);
    const warm = await runChild<WarmResult>(['warm', ours, String(WARM_ITERATIONS)], env);

    const oursTotal = median(coldOurs.map((result) => result.totalMs));
    const bareTotal = median(coldBare.map((result) => result.totalMs));
    const ratio = oursTotal / bareTotal;
    const row = (label: string, results: ColdResult[]) =>
      `  ${label.padEnd(24)} load ${ms(median(results.map((r) => r.loadMs))).padStart(9)}   first request ${ms(median(results.map((r) => r.firstRequestMs))).padStart(9)}   total ${ms(median(results.map((r) => r.totalMs))).padStart(9)}`;
    const lines = [
      `Slack handler benchmark (node ${process.versions.node}, ${COLD_RUNS} fresh processes each, medians; idempotency in memory)`,
      '',
      'Cold start: load the bundle and serve the first request (a pasted error answered in its thread)',
      row('bare Bolt handler', coldBare),
      row('shim-fix handler', coldOurs),
      `  ratio shim-fix / bare Bolt: ${ratio.toFixed(2)}x  ${verdict(Number(ratio.toFixed(2)), COLD_RATIO_TARGET)}`,
      `  (chat.postMessage calls per cold start, each handler: ${postsPerColdStart})`,
      '',
      `Warm: ${WARM_ITERATIONS} requests each after warm-up, Slack API stub on loopback`,
      `  pasted error → threaded answer   p50 ${ms(warm.paste.p50).padStart(9)}   p99 ${ms(warm.paste.p99).padStart(9)}  ${verdict(Number(warm.paste.p99.toFixed(1)), WARM_P99_TARGET_MS)}`,
      `  /shim-fix search                 p50 ${ms(warm.slash.p50).padStart(9)}   p99 ${ms(warm.slash.p99).padStart(9)}  ${verdict(Number(warm.slash.p99.toFixed(1)), WARM_P99_TARGET_MS)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return ratio <= COLD_RATIO_TARGET && warm.paste.p99 <= WARM_P99_TARGET_MS && warm.slash.p99 <= WARM_P99_TARGET_MS ? 0 : 1;
  } finally {
    await slack.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:slack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
